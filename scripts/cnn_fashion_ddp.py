#!/usr/bin/env python3
"""PyTorch DDP peer of `Benchmarks --only mpi`'s 2-rank CNN row: the CNN of ../shared/peers/cnn_fashion.py
(Conv(1,32,3)-ReLU-MaxPool2-Conv(32,64,3)-ReLU-MaxPool2-Dense(1600,128)-ReLU-Dropout(0.25)-Dense(10), Adam 1e-3,
real Fashion-MNIST in [0, 1]) under torch.distributed: gloo backend, 2 processes on localhost
(torch.multiprocessing.spawn), 1 thread each, the global batch (default 128) split evenly (64/64) by rank from
one shared permutation, DistributedDataParallel averaging the gradients.

Throughput = global batch / median step wall time on rank 0 (a step includes the gradient all-reduce; the
first step is excluded). `other_cores` is measured by the parent across the whole spawn (start-up included).

Run:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /tmp/peers/venv/bin/python scripts/cnn_fashion_ddp.py --steps 30
Last stdout line: the peers' JSON summary (`epochs[0].img_per_s_median`, `other_cores`, `steps`; `peak_rss_mib`
= the larger rank's).
"""
import argparse
import os
import statistics
import sys
import time

PEERS_DIR = os.environ.get("PEERS_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers")
sys.path.insert(0, PEERS_DIR)
from common import CpuMonitor, emit, load_fashion_mnist, peak_rss_mib, torch_env, wait_for_idle  # noqa: E402
from cnn_fashion import CNN  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.parallel import DistributedDataParallel as DDP  # noqa: E402


def rank_main(rank, args, queue):
    torch.set_num_threads(args.threads)
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(args.port)
    dist.init_process_group("gloo", rank=rank, world_size=args.world)
    torch.manual_seed(args.seed)   # the same initial weights on every rank (DDP also broadcasts rank 0's)
    xtr, ytr, _, _ = load_fashion_mnist()
    x_train = torch.from_numpy(xtr.astype(np.float32)[:, None] / 255.0)
    y_train = torch.from_numpy(ytr.astype(np.int64))
    model = DDP(CNN(args.dropout))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    perm = torch.from_numpy(np.random.default_rng(args.seed).permutation(x_train.shape[0]))
    local = args.batch // args.world
    dist.barrier()
    times, losses = [], []
    for b in range(args.steps):
        t0 = time.perf_counter()
        idx = perm[b * args.batch + rank * local: b * args.batch + (rank + 1) * local]
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()   # DDP all-reduces (averages) the gradients here
        opt.step()
        losses.append(loss.item())
        times.append(time.perf_counter() - t0)
    dist.barrier()
    queue.put({"rank": rank, "times": times, "loss": losses[-1], "peak_rss_mib": peak_rss_mib(),
               "threads": torch.get_num_threads()})
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1, help="accepted for the harness (one timed run)")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--batch", type=int, default=128, help="global batch, split evenly over the ranks")
    ap.add_argument("--world", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="threads per rank")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--dropout", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--port", type=int, default=29500 + os.getpid() % 1000)
    ap.add_argument("--no-eval", action="store_true", help="accepted for the harness (there is no evaluation)")
    ap.add_argument("--wait-idle", type=float, default=60.0)
    args = ap.parse_args()
    assert args.batch % args.world == 0, "--batch must split evenly over the ranks"

    env = torch_env(args.threads)
    summary = {"script": "cnn_fashion_ddp.py", "env": env, "args": vars(args), "backend": "gloo",
               "idle_wait": wait_for_idle(args.wait_idle), "epochs": []}
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    mon = CpuMonitor().start()
    procs = [ctx.Process(target=rank_main, args=(r, args, queue)) for r in range(args.world)]
    for p in procs:
        p.start()
    results = sorted((queue.get() for _ in procs), key=lambda r: r["rank"])
    for p in procs:
        p.join()
    load = mon.stop()
    if any(p.exitcode != 0 for p in procs):
        sys.exit(f"cnn_fashion_ddp.py: a rank exited with status {[p.exitcode for p in procs]}")
    times = results[0]["times"]
    steady = times[1:] if len(times) > 1 else times
    rec = {"epoch": 1, "steps": args.steps, "img_per_s_median": round(args.batch / statistics.median(steady), 1),
           "local_batch": args.batch // args.world, "train_loss_last": round(results[0]["loss"], 4),
           "other_cores": load["other_cores"], "self_cores": load["self_cores"], "wall_s": load["wall_s"]}
    print(rec, flush=True)
    summary["epochs"].append(rec)
    summary["rank_threads"] = [r["threads"] for r in results]
    summary["peak_rss_mib"] = round(max(r["peak_rss_mib"] for r in results), 1)
    emit(summary)


if __name__ == "__main__":
    main()
