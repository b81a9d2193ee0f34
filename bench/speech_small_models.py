"""Small models trained here against the shipped linear SVM, by train-only cross-validation; prints figures.

Issue 15 asks to try "small models trained here" for the speech classifier. This script scores two that the
field uses on small corpora, on the same stratified folds of the same training split (never the dev or test
split) as `tocsin monitor train`:
- fastText's supervised classifier (word and character n-gram embeddings), over a small a-priori grid;
- a character CNN (embeddings, convolutions of width 2-5, max-pooling, dropout, class-weighted loss), reported
  after each epoch. The best epoch is an optimistic figure, since it is picked on the folds' held-out parts.
Each is scored by argmax and with per-class thresholds tuned inside each fold's training part, as the SVM is.

Neither library is a dependency of Tocsin. Install them beside it to run this:
    pip install torch==2.13.0 fasttext-wheel
    TOCSIN_DATA_MIRROR=../shared/data/mirror python bench/speech_small_models.py --language am
fastText's own `predict` fails under NumPy 2, so its C++ predictor is called directly.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from sklearn.model_selection import StratifiedKFold

from tocsin.core.settings import Settings
from tocsin.monitor.speech.corpora import corpus_for, load_split
from tocsin.monitor.speech.selection import N_FOLDS, _cross_fitted_threshold_f1, choose, macro_f1, syllables
from tocsin.monitor.speech.text import normalise

Folds = list[tuple[np.ndarray, np.ndarray]]
FASTTEXT_GRID = [
    {"epoch": e, "lr": lr, "wordNgrams": w, "minn": mn, "maxn": mx, "dim": 50}
    for e in (10, 25)
    for lr in (0.1, 0.5)
    for w in (1, 2)
    for mn, mx in ((0, 0), (2, 4))
]


def _scores(log_p: np.ndarray, y: np.ndarray, folds: Folds) -> tuple[float, float]:
    k = log_p.shape[1]
    return macro_f1(y, log_p.argmax(axis=1), k), _cross_fitted_threshold_f1(log_p, y, folds, k)


def fasttext_cv(
    texts: list[str], y: np.ndarray, k: int, folds: Folds, params: dict[str, float], seed: int
) -> np.ndarray:
    import fasttext

    out = np.full((len(y), k), -30.0, dtype=np.float32)
    for train_idx, test_idx in folds:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as f:
            for i in train_idx:
                f.write(f"__label__{y[i]} {texts[i]}\n")
        try:
            model = fasttext.train_supervised(f.name, verbose=0, thread=2, seed=seed, **params)
        finally:
            os.unlink(f.name)
        for i in test_idx:
            for p, label in model.f.predict(texts[i] + "\n", k, 0.0, "strict"):
                out[i, int(label.removeprefix("__label__"))] = np.log(max(p, 1e-12))
    return out


def cnn_cv(texts: list[str], y: np.ndarray, k: int, folds: Folds, epochs: int, seed: int) -> list[np.ndarray]:
    import torch
    from torch import nn

    torch.manual_seed(seed)
    length = 160

    class Net(nn.Module):
        def __init__(self, vocab: int, emb: int = 64, filters: int = 128, widths: tuple[int, ...] = (2, 3, 4, 5)):
            super().__init__()
            self.emb = nn.Embedding(vocab, emb, padding_idx=0)
            self.convs = nn.ModuleList([nn.Conv1d(emb, filters, w) for w in widths])
            self.drop = nn.Dropout(0.5)
            self.out = nn.Linear(filters * len(widths), k)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.emb(x).transpose(1, 2)
            h = torch.cat([torch.relu(c(h)).max(dim=2).values for c in self.convs], dim=1)
            return self.out(self.drop(h))

    def encode(idx: np.ndarray, vocab: dict[str, int]) -> torch.Tensor:
        x = np.zeros((len(idx), length), dtype=np.int64)
        for row, i in enumerate(idx):
            ids = [vocab.get(c, 1) for c in texts[i][:length]]  # 1: a character unseen in training
            x[row, : len(ids)] = ids
        return torch.tensor(x)

    per_epoch = [np.zeros((len(y), k), dtype=np.float32) for _ in range(epochs)]
    for train_idx, test_idx in folds:
        seen: dict[str, int] = {}
        for i in train_idx:
            for c in texts[i]:
                seen[c] = seen.get(c, 0) + 1
        vocab = {c: j + 2 for j, c in enumerate(c for c, n in seen.items() if n >= 2)}
        x_train, x_test = encode(train_idx, vocab), encode(test_idx, vocab)
        y_train = torch.tensor(y[train_idx])
        net = Net(len(vocab) + 2)
        weight = torch.tensor(len(train_idx) / (k * np.bincount(y[train_idx], minlength=k)), dtype=torch.float32)
        loss_fn = nn.CrossEntropyLoss(weight=weight)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        for epoch in range(epochs):
            net.train()
            order = torch.randperm(len(train_idx))
            for start in range(0, len(train_idx), 64):
                batch = order[start : start + 64]
                opt.zero_grad()
                loss_fn(net(x_train[batch]), y_train[batch]).backward()
                opt.step()
            net.eval()
            with torch.no_grad():
                per_epoch[epoch][test_idx] = torch.log_softmax(net(x_test), dim=1).numpy()
    return per_epoch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--language", default="am", help="model key of the corpus (am, my, ar, en, ...)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--skip-cnn", action="store_true")
    args = ap.parse_args()
    settings = Settings()
    corpus = corpus_for(args.language)
    split = load_split(corpus, settings)
    classes = sorted(set(split.train_labels))
    y = np.array([classes.index(lab) for lab in split.train_labels])
    k = len(classes)
    clean = [normalise(t, corpus.language) for t in split.train_texts]
    if corpus.language == "my":  # Burmese is written without spaces between words: break it into syllables
        clean = [syllables(t) for t in clean]
    folds = list(StratifiedKFold(N_FOLDS, shuffle=True, random_state=settings.seed).split(np.zeros(len(y)), y))
    print(f"{corpus.model_key}: {len(y)} training texts, classes {classes}, {N_FOLDS}-fold CV on the train split only")

    t0 = time.perf_counter()
    svm = choose(list(split.train_texts), y, corpus.language, settings.seed)
    took = time.perf_counter() - t0
    print(f"shipped linear SVM ({svm.variant.name}): CV macro-F1 {svm.cv_macro_f1:.3f} ({took:.0f}s)")

    print("fastText supervised: CV macro-F1, argmax / tuned thresholds")
    for params in FASTTEXT_GRID:
        t0 = time.perf_counter()
        plain, tuned = _scores(fasttext_cv(clean, y, k, folds, params, settings.seed), y, folds)
        print(f"  {params}: {plain:.3f} / {tuned:.3f} ({time.perf_counter() - t0:.0f}s)")

    if not args.skip_cnn:
        t0 = time.perf_counter()
        per_epoch = cnn_cv(clean, y, k, folds, args.epochs, settings.seed)
        print(f"character CNN: CV macro-F1 after each epoch, argmax / tuned ({time.perf_counter() - t0:.0f}s)")
        for epoch, log_p in enumerate(per_epoch, start=1):
            plain, tuned = _scores(log_p, y, folds)
            print(f"  epoch {epoch}: {plain:.3f} / {tuned:.3f}")


if __name__ == "__main__":
    main()
