#!/usr/bin/env python3
"""Loads the policy written by `illusion rl reinforce --env cartpole --out DIR` (DIR/policy.safetensors,
PyTorch names) into torch.nn.Sequential(Linear, Tanh, Linear) and runs it on Gymnasium's own CartPole-v1.

Run: /tmp/peers/venv/bin/python scripts/gymnasium_cartpole_policy.py DIR [EPISODES]
Prints the mean return with sampled actions (as trained) and with the most likely action.
"""
import sys

import gymnasium as gym
import torch
from safetensors.torch import load_file

state = load_file(f"{sys.argv[1]}/policy.safetensors")
hidden = state["policy.0.weight"].shape[0]
net = torch.nn.Sequential(torch.nn.Linear(4, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, 2))
net.load_state_dict({k[len("policy."):]: v for k, v in state.items() if k.startswith("policy.")})
episodes = int(sys.argv[2]) if len(sys.argv) > 2 else 100
env = gym.make("CartPole-v1")
torch.manual_seed(0)
for mode in ("sampled", "greedy"):
    total = 0.0
    for e in range(episodes):
        obs, _ = env.reset(seed=1000 + e)
        done = False
        while not done:
            with torch.no_grad():
                logits = net(torch.tensor(obs, dtype=torch.float32))
            a = int(torch.distributions.Categorical(logits=logits).sample()) if mode == "sampled" else int(logits.argmax())
            obs, r, term, trunc, _ = env.step(a)
            total += r
            done = term or trunc
    print(f"{mode}: mean return {total / episodes:.1f} over {episodes} Gymnasium episodes")
