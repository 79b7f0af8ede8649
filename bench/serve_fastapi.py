"""The reference for `npm run bench -- serve`: the flagship's SVM trained by scikit-learn on the
same training rows (median imputation, standard scaling, ANOVA-F top 10 features, RBF SVC with
C=1, gamma='scale', probability=True), served by FastAPI + uvicorn (Debian's python3-fastapi and
python3-uvicorn, one worker) with the same request and response shapes as medpipe serve:
POST /v1/models/breast-cancer-svm@staging/predict with {"rows": [{column: number, ...}]}, each
row validated by a pydantic model with the 30 input columns (a missing one is a 422).

Usage: /usr/bin/python3 bench/serve_fastapi.py TRAIN.csv PORT
"""
import sys

import numpy as np
import uvicorn
from fastapi import FastAPI
from pydantic import create_model
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from typing import List, Optional

train_path, port = sys.argv[1], int(sys.argv[2])
with open(train_path) as f:
    header = f.readline().strip().split(',')
    lines = [line.strip().split(',') for line in f if line.strip()]
target = header.index('diagnosis')
features = [name for j, name in enumerate(header) if j != target and name != 'id']
columns = [j for j, name in enumerate(header) if name in features]
X = np.array([[float(cells[j]) for j in columns] for cells in lines])
y = np.array([cells[target] for cells in lines])

model = make_pipeline(SimpleImputer(strategy='median'), StandardScaler(), SelectKBest(f_classif, k=10), SVC(C=1.0, kernel='rbf', gamma='scale', probability=True, random_state=42))
model.fit(X, y)
classes = [str(c) for c in model.classes_]

Row = create_model('Row', **{name: (Optional[float], ...) for name in features})
Rows = create_model('Rows', rows=(List[Row], ...))

app = FastAPI()


@app.post('/v1/models/breast-cancer-svm@staging/predict')
def predict(body: Rows):
    X = np.array([[getattr(row, name) if getattr(row, name) is not None else np.nan for name in features] for row in body.rows], dtype=float)
    p = model.predict_proba(X)
    labels = [classes[k] for k in p.argmax(axis=1)]
    return {
        'model': 'breast-cancer-svm',
        'version': 1,
        'alias': 'staging',
        'predictions': labels,
        'probabilities': [dict(zip(classes, map(float, row))) for row in p],
    }


@app.get('/health')
def health():
    return {'status': 'ok'}


uvicorn.run(app, host='127.0.0.1', port=port, log_level='warning', access_log=False)
