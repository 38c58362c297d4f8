"""Engine speed: NumPy LSTM forward and forward+BPTT per step, against torch where installed.

Run: ``python bench/bench_engine.py [--quick]``. Prints one table; times are the best of several
repeats (µs per step), so a noisy neighbour inflates them less. Torch columns appear when torch is
importable (``pip install torch==2.13.0``): fused ``nn.LSTM`` forward+backward and an
``nn.LSTMCell`` Python loop (the only way to record per-step gates with custom activations in
torch), both float64 on one thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from lstm_core import LSTM

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the torch columns are optional
    torch = None


def best_time(fn, repeats: int, budget: float = 0.4) -> float:
    """Best wall time of ``fn()`` over ``repeats`` calls (fewer if they exceed ``budget`` s)."""
    fn()
    best, spent = np.inf, 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
        if spent > budget:
            break
    return best


def numpy_times(size: int, steps: int, batch: int, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    cell = LSTM.random(8, size, rng)
    x = rng.normal(size=(steps, batch, 8))
    d_hidden = rng.normal(size=(steps, batch, size))
    forward = best_time(lambda: cell.forward(x), repeats)
    both = best_time(lambda: cell.backward(cell.forward(x), d_hidden), repeats)
    return forward, both


def torch_times(size: int, steps: int, batch: int, repeats: int) -> tuple[float, float]:
    module = torch.nn.LSTM(8, size).double()
    cell = torch.nn.LSTMCell(8, size).double()
    x = torch.randn(steps, batch, 8, dtype=torch.float64)
    d_hidden = torch.randn(steps, batch, size, dtype=torch.float64)

    def fused():
        module.zero_grad()
        out, _ = module(x)
        (out * d_hidden).sum().backward()

    def cell_loop():
        cell.zero_grad()
        h = torch.zeros(batch, size, dtype=torch.float64)
        c = torch.zeros_like(h)
        outputs = []
        for t in range(steps):
            h, c = cell(x[t], (h, c))
            outputs.append(h)
        (torch.stack(outputs) * d_hidden).sum().backward()

    return best_time(fused, repeats), best_time(cell_loop, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args()
    sizes = (1, 8, 32) if args.quick else (1, 8, 32, 128)
    lengths = (20, 500) if args.quick else (20, 100, 500)
    repeats = 5 if args.quick else 15

    header = f"{'H':>4} {'T':>4} {'B':>3} | {'fwd µs/step':>11} {'fwd+bptt':>9} {'bptt':>6}"
    if torch is not None:
        header += f" | {'torch LSTM':>10} {'LSTMCell':>9} | {'×LSTMCell':>9} {'×LSTM':>6}"
    print(header)
    print("-" * len(header))
    for size in sizes:
        for steps in lengths:
            for batch in (1, 32):
                forward, both = numpy_times(size, steps, batch, repeats)
                row = (f"{size:>4} {steps:>4} {batch:>3} | {forward / steps * 1e6:>11.2f} "
                       f"{both / steps * 1e6:>9.2f} {(both - forward) / steps * 1e6:>6.2f}")
                if torch is not None:
                    fused, loop = torch_times(size, steps, batch, max(3, repeats // 3))
                    row += (f" | {fused / steps * 1e6:>10.2f} {loop / steps * 1e6:>9.2f} | "
                            f"{loop / both:>9.1f} {fused / both:>6.2f}")
                print(row, flush=True)
    print("\nfwd+bptt: one forward that records every gate plus one full BPTT, per step.")
    if torch is not None:
        print("×LSTMCell = torch LSTMCell loop time / ours; ×LSTM = fused nn.LSTM time / ours "
              "(> 1 means we are faster). Both forward+backward, float64, 1 thread.")


if __name__ == "__main__":
    main()
