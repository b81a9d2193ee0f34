"""The model card: what each speech model was trained on, how it was chosen, and how it scored.

Written beside the model as JSON (for the dashboard and API) whenever a model is saved, and shown by
`tocsin monitor model`. Every figure in it was measured at training time on the splits it names.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tocsin.monitor.speech.selection import N_FOLDS

if TYPE_CHECKING:
    from tocsin.monitor.speech.classifier import SpeechModel


def card_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.stem + "_card.json")


def _num(v: float) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), 6)  # 6: no double rounding in tables


def card(model: SpeechModel) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        cld2 = version("pycld2")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency
        cld2 = "?"
    sources = {s.get("key", s["language"]): s for s in model.sources}
    models = []
    for key, lm in model.languages.items():
        src = sources.get(key, {})
        models.append(
            {
                "key": key,
                "language": lm.language,
                "countries": list(lm.countries) or "all",
                "corpus": src.get("name", "made in tests" if not src else ""),
                "licence": src.get("licence", ""),
                "citation": src.get("citation", ""),
                "url": src.get("url", ""),
                "classes": lm.classes,
                "n_train": lm.n_train,
                "corrections_used": lm.n_corrections,
                "chosen": lm.variant.name,
                "cv_macro_f1": _num(lm.cv_macro_f1),
                "cv": f"{N_FOLDS}-fold stratified cross-validation on the training split only",
                "cv_scores": {k: _num(v) for k, v in sorted(lm.cv_scores.items(), key=lambda kv: -kv[1])},
                "held_out": [
                    {
                        "split": m.split,
                        "macro_f1": _num(m.macro_f1),
                        "ci95": [_num(v) for v in m.ci95],
                        "n": m.n_test,
                        "per_class": m.per_class,
                    }
                    for m in model.metrics
                    if (m.key or m.language) == key
                ],
            }
        )
    return {
        "trained_at": model.trained_at,
        "seed": model.seed,
        "cap": model.cap,
        "training_seconds": model.training_seconds,
        "format_version": model.format_version,
        "language_identification": f"script, then CLD2 (pycld2 {cld2}, offline); no model for a language = not scored",
        "lexicon_terms": len(model.lexicon),
        "corrections_used": model.corrections,
        "models": models,
    }


def write(model: SpeechModel, model_path: Path) -> Path:
    """Write the card beside the model (atomic, like the model)."""
    path = card_path(model_path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(card(model), indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read(model_path: Path) -> dict[str, Any] | None:
    path = card_path(model_path)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
