"""Score extractions against human annotations (the seeds/expected/*.json schema).

Metrics, all micro-averaged over the documents:

* tasks: predicted and expected tasks are aligned one to one, first by identical "ref", then
  the rest by summary similarity (token Dice ≥ 0.35, best pairs first). Precision = aligned /
  predicted, recall = aligned / expected.
* lead, coordinating: over aligned tasks, names compared by `name_key` (case, tone placement,
  punctuation and common abbreviations folded); precision and recall of the name sets.
  "(chung)" counts as a name. lead accuracy = share of aligned tasks whose lead set is exact.
* deadlines: accuracy = share of aligned tasks with the same date (both None counts as right);
  precision/recall over non-null dates (right / predicted non-null, right / expected non-null).
* references: set precision and recall of the cited document numbers.
* document: share of metadata fields equal to the annotation (after whitespace folding).
"""

import re
from dataclasses import dataclass, field

from .normalize import fold, name_key

SUMMARY_THRESHOLD = 0.35


@dataclass
class Counter:
    true_positive: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, predicted: set, expected: set) -> None:
        self.true_positive += len(predicted & expected)
        self.predicted += len(predicted)
        self.expected += len(expected)

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Ratio:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += int(ok)
        self.total += 1

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 1.0


@dataclass
class Scores:
    tasks: Counter = field(default_factory=Counter)
    lead: Counter = field(default_factory=Counter)
    lead_exact: Ratio = field(default_factory=Ratio)
    coordinating: Counter = field(default_factory=Counter)
    deadline: Counter = field(default_factory=Counter)
    deadline_accuracy: Ratio = field(default_factory=Ratio)
    references: Counter = field(default_factory=Counter)
    document: Ratio = field(default_factory=Ratio)

    def as_dict(self) -> dict:
        def pr(c: Counter) -> dict:
            return {
                "precision": round(c.precision, 3),
                "recall": round(c.recall, 3),
                "f1": round(c.f1, 3),
                "tp": c.true_positive,
                "predicted": c.predicted,
                "expected": c.expected,
            }

        return {
            "tasks": pr(self.tasks),
            "lead": {**pr(self.lead), "accuracy": round(self.lead_exact.value, 3)},
            "coordinating": pr(self.coordinating),
            "deadline": {**pr(self.deadline), "accuracy": round(self.deadline_accuracy.value, 3)},
            "references": pr(self.references),
            "document_fields": {
                "accuracy": round(self.document.value, 3),
                "right": self.document.right,
                "total": self.document.total,
            },
        }


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text or "")))


def summary_similarity(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    return 2 * len(ta & tb) / (len(ta) + len(tb)) if ta and tb else 0.0


def align_tasks(predicted: list[dict], expected: list[dict]) -> list[tuple[dict, dict]]:
    """One-to-one pairs of (predicted, expected): by ref, then by summary similarity."""
    pairs = []
    by_ref = {}
    for task in predicted:
        by_ref.setdefault(task["ref"], task)
    used_p: set[int] = set()
    rest_e = []
    for task in expected:
        match = by_ref.get(task["ref"])
        if match is not None and id(match) not in used_p:
            pairs.append((match, task))
            used_p.add(id(match))
        else:
            rest_e.append(task)
    rest_p = [t for t in predicted if id(t) not in used_p]
    candidates = sorted(
        (
            (summary_similarity(p.get("summary", ""), e.get("summary", "")), i, j)
            for i, p in enumerate(rest_p)
            for j, e in enumerate(rest_e)
        ),
        reverse=True,
    )
    taken_p, taken_e = set(), set()
    for similarity, i, j in candidates:
        if similarity < SUMMARY_THRESHOLD:
            break
        if i in taken_p or j in taken_e:
            continue
        taken_p.add(i)
        taken_e.add(j)
        pairs.append((rest_p[i], rest_e[j]))
    return pairs


def _names(names: list[str] | None) -> set[str]:
    return {name_key(n) for n in names or [] if n}


def _field(value) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


def score_document(predicted: dict, expected: dict, scores: Scores | None = None) -> Scores:
    scores = scores or Scores()
    p_tasks, e_tasks = predicted.get("tasks", []), expected.get("tasks", [])
    pairs = align_tasks(p_tasks, e_tasks)
    scores.tasks.true_positive += len(pairs)
    scores.tasks.predicted += len(p_tasks)
    scores.tasks.expected += len(e_tasks)
    for p, e in pairs:
        p_lead, e_lead = _names(p.get("lead")), _names(e.get("lead"))
        scores.lead.add(p_lead, e_lead)
        scores.lead_exact.add(p_lead == e_lead)
        scores.coordinating.add(_names(p.get("coordinating")), _names(e.get("coordinating")))
        pd, ed = p.get("deadline"), e.get("deadline")
        scores.deadline_accuracy.add(pd == ed)
        scores.deadline.true_positive += int(pd is not None and pd == ed)
        scores.deadline.predicted += int(pd is not None)
        scores.deadline.expected += int(ed is not None)
    scores.references.add(set(predicted.get("references", [])), set(expected.get("references", [])))
    for key, value in expected.get("document", {}).items():
        scores.document.add(_field(predicted.get("document", {}).get(key)) == _field(value))
    return scores


def score_corpus(pairs) -> Scores:
    """Score an iterable of (predicted, expected) extraction dicts together."""
    scores = Scores()
    for predicted, expected in pairs:
        score_document(predicted, expected, scores)
    return scores
