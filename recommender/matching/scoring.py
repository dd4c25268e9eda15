"""Small numeric helpers shared by the linker, the link predictor and the matcher."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

QUERY_BATCH_ONE_THREAD = 1024  # query-time encodings of up to this many texts run on one torch thread


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, then restore the previous count.

    Query-time encodings are a few texts: one thread does them as fast as two, and on a busy machine the second
    thread costs far more than it brings (with two threads on the shared 2-core machine, encoding one query's 4–5
    texts took ~12 ms instead of ~0.4 ms). Results are identical (checked for the shipped static encoder).
    Setting the count costs well under a microsecond.
    """
    before = torch.get_num_threads()
    if before == n:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def group_max(matrix: np.ndarray, groups: np.ndarray, n_groups: int, fill: float = -1.0) -> np.ndarray:
    """Column-group maximum: ``out[q, g] = max(matrix[q, groups == g])`` (``fill`` for empty groups).

    ``groups`` must be sorted (columns of one group contiguous).
    """
    out = np.full((matrix.shape[0], n_groups), fill, dtype=np.float32)
    if matrix.shape[1] == 0:
        return out
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    out[:, groups[starts]] = np.maximum.reduceat(matrix, starts, axis=1)
    return out


def rank_discount(matrix: np.ndarray) -> np.ndarray:
    """Per row, ``1 / log2(rank + 2)`` of each entry (rank 0 = largest): a scale-free view of a score row."""
    ranks = np.argsort(np.argsort(-matrix, axis=1, kind="stable"), axis=1, kind="stable")
    return (1.0 / np.log2(ranks + 2.0)).astype(np.float32)


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def minmax_rows(matrix: np.ndarray) -> np.ndarray:
    lo = matrix.min(axis=1, keepdims=True)
    span = matrix.max(axis=1, keepdims=True) - lo
    span[span == 0] = 1.0
    return ((matrix - lo) / span).astype(np.float32)


class ChoiceModel:
    """Conditional logit over candidate sets: ``P(c | query) = softmax_c f(x_qc)``, ``f`` linear or a one-hidden-
    layer network, fitted by L-BFGS on queries whose true choice is among the candidates.

    A query may have several acceptable choices (``targets`` is a boolean mask); the likelihood sums them.
    """

    def __init__(self, hidden: int = 16, l2: float = 1e-3, seed: int = 13, max_iter: int = 100):
        self.hidden, self.l2, self.seed, self.max_iter = hidden, l2, seed, max_iter
        self._net: torch.nn.Module | None = None
        self._mu = self._sd = None

    def fit(self, features: np.ndarray, targets: np.ndarray) -> ChoiceModel:
        """``features``: (n, k, f); ``targets``: (n, k) booleans. Queries without a true candidate are skipped."""
        keep = targets.any(axis=1)
        if keep.sum() < 5:
            raise ValueError("too few training queries with their answer among the candidates")
        torch.manual_seed(self.seed)
        x = torch.tensor(features[keep], dtype=torch.float32)
        t = torch.tensor(targets[keep])
        flat = x.reshape(-1, x.shape[-1])
        self._mu, self._sd = flat.mean(0), flat.std(0) + 1e-6
        f = x.shape[-1]
        self._net = (torch.nn.Sequential(torch.nn.Linear(f, self.hidden), torch.nn.Tanh(), torch.nn.Linear(self.hidden, 1))
                     if self.hidden else torch.nn.Linear(f, 1))
        opt = torch.optim.LBFGS(self._net.parameters(), max_iter=self.max_iter, line_search_fn="strong_wolfe")
        xs = (x - self._mu) / self._sd

        def closure():
            opt.zero_grad()
            z = self._net(xs).squeeze(-1)
            nll = -(torch.logsumexp(z.masked_fill(~t, -1e9), 1) - torch.logsumexp(z, 1)).mean()
            loss = nll + self.l2 * sum((p ** 2).sum() for p in self._net.parameters())
            loss.backward()
            return loss

        with torch_threads(1):  # a small problem: a second thread gains little and, on a busy machine, costs 4×
            opt.step(closure)
        return self

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_numpy", None)  # a copy of the network's weights, rebuilt on the first call
        return state

    def _numpy_weights(self) -> tuple[np.ndarray, ...]:
        """The fitted network as NumPy arrays: (mu, sd, W1, b1, W2, b2), or (mu, sd, W, b) when linear."""
        weights = self.__dict__.get("_numpy")
        if weights is None:
            with torch.no_grad():
                params = [p.detach().numpy().astype(np.float32) for p in self._net.parameters()]
            weights = (self._mu.numpy().astype(np.float32), self._sd.numpy().astype(np.float32), *params)
            self.__dict__["_numpy"] = weights
        return weights

    def linear_weights(self) -> np.ndarray:
        """The weight of each (standardised) feature of a linear model (``hidden=0``)."""
        params = self._numpy_weights()[2:]
        if len(params) != 2:
            raise ValueError("linear_weights: the model has a hidden layer")
        return params[0][0]

    def logits(self, features: np.ndarray) -> np.ndarray:
        """Utility of every candidate, (n, k), computed in NumPy (no torch call per query: torch's thread pool
        costs more than this tiny network on a busy machine); matches the torch network within float32 rounding."""
        if self._net is None:
            raise RuntimeError("fit() first")
        mu, sd, *params = self._numpy_weights()
        x = (np.asarray(features, dtype=np.float32) - mu) / sd
        if len(params) == 4:
            w1, b1, w2, b2 = params
            z = np.tanh(x @ w1.T + b1) @ w2.T + b2
        else:
            w, b = params
            z = x @ w.T + b
        return z[..., 0]
