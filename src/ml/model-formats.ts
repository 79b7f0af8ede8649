/**
 * The format tags of the model artifacts, each defined once: the training steps write them, and
 * evaluation, prediction, register, the model card and the CLI check them. In a module of their
 * own so that code which only decides what kind a model is can compare tags without loading the
 * models' code.
 */
export const FOREST_MODEL_FORMAT = 'medpipe.forest/1';
export const SVM_MODEL_FORMAT = 'medpipe.svm/1';
export const RECOMMENDER_FORMAT = 'medpipe.recommender/1';
export const GAN_MODEL_FORMAT = 'medpipe.gan/1';
