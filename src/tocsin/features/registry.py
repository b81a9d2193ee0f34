"""The feature registry: what every model input is, where it comes from, which driver and risk factor it informs.

UN Framework of Analysis for Atrocity Crimes (2014) risk factors are numbered 1-14 (see UN_RISK_FACTORS).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

UN_RISK_FACTORS: dict[int, str] = {
    1: "Armed conflict or other instability",
    2: "Record of serious violations of human rights and humanitarian law",
    3: "Weakness of state structures",
    4: "Motives or incentives",
    5: "Capacity to commit atrocity crimes",
    6: "Absence of mitigating factors",
    7: "Enabling circumstances or preparatory action",
    8: "Triggering factors",
    9: "Intergroup tensions or patterns of discrimination",
    10: "Signs of an intent to destroy a protected group",
    11: "Signs of a widespread or systematic attack on civilians",
    12: "Signs of a plan or policy to attack civilians",
    13: "Serious threats to those protected under IHL",
    14: "Serious threats to humanitarian or peacekeeping operations",
}

DRIVER_FAMILIES: tuple[str, ...] = (
    "traditional", "climate", "inequality", "ethno-nationalism", "transnational", "dynamics", "structural",
    "repression and conflict evidence",
)


@dataclass(frozen=True)
class Feature:
    """One model input. `transform` says in words how it is computed from its source."""

    name: str
    label: str
    source: str
    transform: str
    family: str
    un_factors: tuple[int, ...]
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.family not in DRIVER_FAMILIES:
            raise ValueError(f"feature {self.name}: unknown driver family {self.family!r}")
        bad = [f for f in self.un_factors if f not in UN_RISK_FACTORS]
        if bad:
            raise ValueError(f"feature {self.name}: unknown UN risk factor(s) {bad}")


class FeatureRegistry:
    """An ordered set of features, looked up by name."""

    def __init__(self, features: Iterable[Feature] = ()) -> None:
        self._by_name: dict[str, Feature] = {}
        for feat in features:
            self.add(feat)

    def add(self, feat: Feature) -> None:
        if feat.name in self._by_name:
            raise ValueError(f"feature {feat.name!r} registered twice")
        self._by_name[feat.name] = feat

    def __getitem__(self, name: str) -> Feature:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Feature | None:
        return self._by_name.get(name)

    def names(self, family: str | None = None) -> list[str]:
        return [f.name for f in self if family is None or f.family == family]

    def families(self) -> list[str]:
        return sorted({f.family for f in self})
