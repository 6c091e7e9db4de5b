"""The pools a synthetic Hub dump draws from: its timeline, the repos it grows from, names,
licences and datasets."""

import calendar
import math
import time
from itertools import accumulate

# --- the timeline -------------------------------------------------------------------------------

FLOOR = calendar.timegm((2022, 3, 2, 0, 0, 0))  # the Hub dates older repos to this day
END = calendar.timegm((2025, 9, 30, 0, 0, 0))
SPAN = END - FLOOR
GROWTH = 2.5  # new models per day grow by e**GROWTH from the first day to the last
_EXPM1 = math.expm1(GROWTH)
DAY = 86400


def timeline(x: float) -> int:
    """Creation time of the model at fraction ``x`` (0..1) of the dump, in epoch seconds."""
    return FLOOR + int(SPAN * math.log1p(x * _EXPM1) / GROWTH)


def timeline_fraction(when: int) -> float:
    """The inverse of :func:`timeline`: where in the dump a model created at ``when`` falls."""
    f = min(max((when - FLOOR) / SPAN, 0.0), 1.0)
    return math.expm1(GROWTH * f) / _EXPM1


def iso(when: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(when))


def day(text: str) -> int:
    return calendar.timegm(time.strptime(text, "%Y-%m-%d"))


# --- vocabularies -------------------------------------------------------------------------------

ROOT, FINETUNE, ADAPTER, QUANTIZED, MERGE = range(5)
RELATION = ("", "finetune", "adapter", "quantized", "merge")

# Hub roots: repo ids the curated catalogue links, with their release day, Hub licence tag, model
# type tag and weight in the hub draw; the first five are meant to be popular roots.
HUBS = (
    ("meta-llama/Llama-2-7b-hf", "2023-07-18", "llama2", "llama", 200),
    ("mistralai/Mistral-7B-v0.1", "2023-09-27", "apache-2.0", "mistral", 45),
    ("Qwen/Qwen2.5-7B", "2024-09-19", "apache-2.0", "qwen2", 40),
    ("EleutherAI/pythia-1b", "2023-02-13", "apache-2.0", "gpt_neox", 8),
    ("EleutherAI/pythia-12b", "2023-02-13", "apache-2.0", "gpt_neox", 5),
    ("openai-community/gpt2", "2019-02-14", "mit", "gpt2", 4),
    ("meta-llama/Llama-2-7b-chat-hf", "2023-07-18", "llama2", "llama", 15),
    ("meta-llama/Llama-2-13b-hf", "2023-07-18", "llama2", "llama", 8),
    ("mistralai/Mistral-7B-Instruct-v0.1", "2023-09-27", "apache-2.0", "mistral", 10),
    ("microsoft/phi-2", "2023-12-12", "mit", "phi", 6),
    ("mistralai/Mixtral-8x7B-v0.1", "2023-12-11", "apache-2.0", "mixtral", 5),
    ("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", "2023-12-28", "apache-2.0", "llama", 6),
    ("google/gemma-7b", "2024-02-21", "gemma", "gemma", 5),
    ("meta-llama/Meta-Llama-3-8B", "2024-04-18", "llama3", "llama", 15),
    ("meta-llama/Meta-Llama-3-8B-Instruct", "2024-04-18", "llama3", "llama", 12),
    ("google/gemma-2-9b", "2024-06-27", "gemma", "gemma2", 6),
    ("meta-llama/Llama-3.1-8B", "2024-07-23", "llama3.1", "llama", 15),
    ("meta-llama/Llama-3.1-8B-Instruct", "2024-07-23", "llama3.1", "llama", 20),
    ("Qwen/Qwen2.5-7B-Instruct", "2024-09-19", "apache-2.0", "qwen2", 15),
    ("Qwen/Qwen2.5-1.5B-Instruct", "2024-09-19", "apache-2.0", "qwen2", 8),
    ("meta-llama/Llama-3.2-1B", "2024-09-25", "llama3.2", "llama", 8),
)

_PREFIXES = (
    ("tiny-lm", "llama"),
    ("nano-gpt", "gpt2"),
    ("mini-llm", "llama"),
    ("open-lm", "llama"),
    ("bert-base", "bert"),
    ("roberta", "roberta"),
    ("t5-small", "t5"),
    ("opt", "opt"),
    ("bloom-mini", "bloom"),
    ("gpt-j", "gptj"),
    ("mamba", "mamba"),
    ("rwkv", "rwkv"),
    ("stablelm", "stablelm"),
    ("pico-lm", "llama"),
    ("deberta", "deberta"),
    ("falcon-lite", "falcon"),
)
_SIZES = ("70m", "125m", "350m", "1b", "1.3b", "3b", "7b", "13b")
# A family is what a model's name starts with: the hub's repo name, or a synthetic stem.
STEMS = [repo.split("/", 1)[1] for repo, *_ in HUBS] + [
    f"{prefix}-{size}" for prefix, _ in _PREFIXES for size in _SIZES
]
MODEL_TYPES = [kind for *_, kind, _ in HUBS] + [kind for _, kind in _PREFIXES for _ in _SIZES]

WORDS = (
    ("base", "v1", "v2", "pretrain", "exp", "scratch", "ckpt"),
    ("chat", "instruct", "sft", "dpo", "orpo", "alpaca", "orca", "code", "math", "uncensored",
     "roleplay", "medical", "legal", "ko", "ja", "de", "zh", "v2", "rlhf", "reasoning"),
    ("lora", "qlora", "adapter", "peft", "lora-r16", "lora-alpaca"),
    ("GGUF", "AWQ", "GPTQ", "4bit", "8bit", "exl2", "mlx-4bit", "bnb-4bit"),
    ("merge", "slerp", "ties", "dare-ties", "passthrough", "frankenmerge"),
)  # fmt: skip
PIPELINES = {  # the pipeline tag, where it is not "text-generation"
    "bert": "fill-mask",
    "roberta": "fill-mask",
    "deberta": "fill-mask",
    "t5": "text2text-generation",
}
QUANT_TAGS = {
    "GGUF": (),  # its library tag, "gguf", says it
    "AWQ": ("awq", "4-bit"),
    "GPTQ": ("gptq", "4-bit"),
    "4bit": ("4-bit", "bitsandbytes"),
    "8bit": ("8-bit", "bitsandbytes"),
    "exl2": ("exl2",),
    "mlx-4bit": ("mlx", "4-bit"),
    "bnb-4bit": ("4-bit", "bitsandbytes"),
}

LICENSES = (
    ("apache-2.0", 35),
    ("mit", 15),
    ("other", 10),
    ("cc-by-nc-4.0", 8),
    ("cc-by-4.0", 6),
    ("openrail", 5),
    ("llama2", 3),
    ("llama3", 3),
    ("llama3.1", 2),
    ("llama3.2", 1),
    ("gemma", 2),
    ("gpl-3.0", 3),
    ("creativeml-openrail-m", 2),
    ("bigscience-openrail-m", 2),
    ("cc-by-sa-4.0", 2),
    ("bsd-3-clause", 1),
    ("unknown", 1),
)
LICENSE_IDS = [name for name, _ in LICENSES]
# Real datasets, most used first, as popular on the Hub as those the generator names: their
# licences and generators (a non-commercial, a share-alike and an OpenAI-generated one) reach
# the Hub models trained on them.
KNOWN_DATASETS = [
    "tatsu-lab/alpaca",
    "OpenAssistant/oasst1",
    "Anthropic/hh-rlhf",
    "HuggingFaceH4/ultrachat_200k",
    "databricks/databricks-dolly-15k",
    "nomic-ai/gpt4all_prompt_generations",
    "BelleGroup/train_1M_CN",
]
LICENSE_CUM = list(accumulate(weight for _, weight in LICENSES))
OTHER = LICENSE_IDS.index("other")
OTHER_NAMES = (
    "qwen-research", "deepseek", "tongyi-qianwen", "falcon-llm-license", "exaone",
    "yi-license", "model-license", "research-only",
)  # fmt: skip

_SYLLABLES = (
    "ba", "ko", "ri", "ne", "su", "ta", "mi", "lo", "ve", "da", "zu", "ha", "ki", "no", "pe",
    "ra", "si", "to", "wu", "ya", "ge", "fo", "lu", "ma", "ni", "xa", "jo", "ce", "bu", "di",
)  # fmt: skip

QUANTIZERS = 6  # the head of the author pool: accounts that mostly publish quantisations


def author_name(k: int) -> str:
    """A distinct, pronounceable user or organisation name for each k (bijective numeration)."""
    letters = []
    n = k + len(_SYLLABLES) + 1  # at least two syllables
    while n:
        n, digit = divmod(n - 1, len(_SYLLABLES))
        letters.append(_SYLLABLES[digit])
    name = "".join(reversed(letters))
    style = (k * 2654435761) % 7
    if style == 1:
        return name.capitalize()
    if style == 2:
        return name + str(k % 97)
    if style == 3:
        return name.capitalize() + "AI"
    return name


def base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def zipf_cumulative(size: int, exponent: float, offset: float) -> list[float]:
    """Cumulative weights 1 / (k + offset) ** exponent, k = 1..size: a heavy-tailed draw."""
    total, out = 0.0, []
    for k in range(1, size + 1):
        total += (k + offset) ** -exponent
        out.append(total)
    return out


# --- pass 1: the lineage ------------------------------------------------------------------------
