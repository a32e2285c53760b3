#!/usr/bin/env python3
"""Golden values for KalmanBoxFilterTests, from a plain textbook Kalman filter (generic matrix
products, Gauss-Jordan inverse) with the SORT/ByteTrack noise model. Independent of the C# code's
hand-unrolled products. Run: python3 make_kalman_golden.py > kalman_golden.json"""
import json

WP, WV = 1.0 / 20, 1.0 / 160

def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]

def transpose(a):
    return [list(r) for r in zip(*a)]

def add(a, b):
    return [[a[i][j] + b[i][j] for j in range(len(a[0]))] for i in range(len(a))]

def inverse(m):
    n = len(m)
    a = [list(r) + [1.0 if i == j else 0.0 for j in range(n)] for i, r in enumerate(m)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        d = a[c][c]
        a[c] = [x / d for x in a[c]]
        for r in range(n):
            if r != c:
                f = a[r][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [r[n:] for r in a]

def diag(v):
    return [[v[i] if i == j else 0.0 for j in range(len(v))] for i in range(len(v))]

def measure(tlbr):
    x1, y1, x2, y2 = tlbr
    h = y2 - y1
    return [(x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) / h, h]

F = [[1.0 if i == j or j == i + 4 else 0.0 for j in range(8)] for i in range(8)]
H = [[1.0 if i == j else 0.0 for j in range(8)] for i in range(4)]

def initiate(z):
    h = z[3]
    mean = [[v] for v in z + [0, 0, 0, 0]]
    std = [2 * WP * h, 2 * WP * h, 1e-2, 2 * WP * h, 10 * WV * h, 10 * WV * h, 1e-5, 10 * WV * h]
    return mean, diag([s * s for s in std])

def predict(mean, cov):
    h = mean[3][0]
    std = [WP * h, WP * h, 1e-2, WP * h, WV * h, WV * h, 1e-5, WV * h]
    return matmul(F, mean), add(matmul(matmul(F, cov), transpose(F)), diag([s * s for s in std]))

def update(mean, cov, z):
    h = mean[3][0]
    std = [WP * h, WP * h, 1e-1, WP * h]
    s = add(matmul(matmul(H, cov), transpose(H)), diag([x * x for x in std]))
    k = matmul(matmul(cov, transpose(H)), inverse(s))
    y = [[z[i] - mean[i][0]] for i in range(4)]
    mean = add(mean, matmul(k, y))
    kh = matmul(k, H)
    cov = [[cov[i][j] - sum(kh[i][m] * cov[m][j] for m in range(8)) for j in range(8)] for i in range(8)]
    return mean, cov

boxes = [[100, 50, 130, 140], [104, 52, 134, 143], [109, 53, 140, 145], [115, 55, 145, 147]]
mean, cov = initiate(measure(boxes[0]))
steps = []
for b in boxes[1:]:
    mean, cov = predict(mean, cov)
    predicted = [r[0] for r in mean]
    mean, cov = update(mean, cov, measure(b))
    steps.append({"measured": b, "predictedMean": predicted, "updatedMean": [r[0] for r in mean],
                  "updatedCovarianceDiagonal": [cov[i][i] for i in range(8)]})
print(json.dumps({"initial": boxes[0], "steps": steps}, indent=1))
