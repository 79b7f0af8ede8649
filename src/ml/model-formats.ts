/**
 * The format tags of the model artifacts that are not row predictors. In a module of their own so
 * that code which only decides what kind a model is (register, the model card, the CLI) can
 * compare tags without loading the models' code.
 */
export const RECOMMENDER_FORMAT = 'medpipe.recommender/1';
export const GAN_MODEL_FORMAT = 'medpipe.gan/1';
