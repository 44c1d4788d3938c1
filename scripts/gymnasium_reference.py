#!/usr/bin/env python3
"""Peer for IllusionReinforcement: records Gymnasium's FrozenLake-v1 and CartPole-v1 step by step.

Writes Tests/ReinforcementTests/Fixtures/gymnasium_reference.json, which ReinforcementTests replay
against our environments (CI needs only the committed JSON, not Gymnasium):

  frozenlake: FrozenLake-v1 (4x4) and FrozenLake8x8-v1, slippery and not —
    "P": Gymnasium's full transition table, [state, action, [[p, next, reward, terminated], ...]];
    "steps": seeded random actions through gymnasium.make (TimeLimit included) — uniform in the first
             half, hole-avoiding in the second (so that episodes reach the time limit) — columns
             state, action, next_state, reward, terminated, truncated (one entry per step).
  cartpole: episodes of CartPole-v1 (gymnasium.make, TimeLimit 500) — the float64 initial state
    (env.unwrapped.state after reset), the actions, and after each step the float64 state, reward,
    terminated, truncated. Half the episodes use random actions, the others a noisy balancing
    controller so that some run into the 500-step truncation.

Run:  /tmp/peers/venv/bin/python scripts/gymnasium_reference.py
"""
import json
import os

import gymnasium as gym
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ReinforcementTests", "Fixtures",
                   "gymnasium_reference.json")


def frozenlake(map_name, slippery, steps, seed):
    # The registered ids: FrozenLake-v1 (4x4, TimeLimit 100) and FrozenLake8x8-v1 (8x8, TimeLimit 200).
    env = gym.make("FrozenLake-v1" if map_name == "4x4" else "FrozenLake8x8-v1", is_slippery=slippery)
    table = []
    for s, actions in env.unwrapped.P.items():
        for a, outcomes in actions.items():
            table.append([s, a, [[p, int(n), float(r), bool(t)] for (p, n, r, t) in outcomes]])
    rng = np.random.default_rng(seed)
    cols = {k: [] for k in ("state", "action", "next_state", "reward", "terminated", "truncated")}
    P = env.unwrapped.P
    holes = {i for i, c in enumerate(env.unwrapped.desc.flatten()) if c == b"H"}
    s, _ = env.reset(seed=seed)
    for i in range(steps):
        a = int(rng.integers(4))
        if i >= steps // 2:
            # Second half: random among the actions that cannot fall into a hole (when there are any),
            # so that some episodes run into the time limit.
            safe = [b for b in range(4) if not any(n in holes for (_, n, _, _) in P[s][b])]
            if safe:
                a = safe[int(rng.integers(len(safe)))]
        n, r, term, trunc, _ = env.step(a)
        for k, v in zip(cols, (int(s), a, int(n), float(r), int(term), int(trunc))):
            cols[k].append(v)
        s = n
        if term or trunc:
            s, _ = env.reset()
    limit = env.spec.max_episode_steps
    return {"map": map_name, "slippery": slippery, "max_episode_steps": limit, "seed": seed,
            "P": table, "steps": cols}


def cartpole(episodes, seed):
    env = gym.make("CartPole-v1")
    rng = np.random.default_rng(seed)
    out = []
    env.reset(seed=seed)
    for e in range(episodes):
        env.reset()
        initial = [float(v) for v in env.unwrapped.state]
        controlled = e % 2 == 1
        actions, states, rewards, terms, truncs = [], [], [], [], []
        while True:
            x, xd, th, thd = env.unwrapped.state
            if controlled and rng.random() > 0.1:
                a = 1 if th + 0.3 * thd + 0.02 * x + 0.05 * xd > 0 else 0
            else:
                a = int(rng.integers(2))
            _, r, term, trunc, _ = env.step(a)
            actions.append(a)
            states.append([float(v) for v in env.unwrapped.state])
            rewards.append(float(r))
            terms.append(int(term))
            truncs.append(int(trunc))
            if term or trunc:
                break
        out.append({"initial": initial, "actions": actions, "states": states, "rewards": rewards,
                    "terminated": terms, "truncated": truncs})
    return out


def main():
    fixture = {
        "gymnasium": gym.__version__,
        "frozenlake": [frozenlake(m, sl, 2500, seed) for seed, (m, sl) in enumerate(
            [("4x4", True), ("4x4", False), ("8x8", True), ("8x8", False)], start=17)],
        "cartpole": cartpole(10, 2024),
    }
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    n = sum(len(e["actions"]) for e in fixture["cartpole"])
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes; cartpole {n} steps, lengths",
          [len(e["actions"]) for e in fixture["cartpole"]], ")")


if __name__ == "__main__":
    main()
