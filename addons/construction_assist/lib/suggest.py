"""Cost code suggestions learned from one company's labelled lines.

A line is what a crew or an estimator wrote (a description) with what came
with it (unit, vendor, product, project). Character n-grams of the
description (2 to 4 letters inside words, so "excav", "exc." and "excavaton"
share most of their features) and the words of the other fields are weighed
by TF-IDF; a linear classifier (scikit-learn's ``SGDClassifier``, a linear
SVM trained by stochastic gradient descent: seconds for 100,000 lines) ranks
the cost codes. The confidence is the softmax of its scores: how much the
best codes stand out from the others, not a calibrated probability.

The reason given beside a suggestion is the company's own: how many past
lines carried the code and the description most often written with it.
"""

import pickle
import re
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier

META_FIELDS = ("unit", "vendor", "product", "project")
FORMAT = 1
# How sharply the softmax of the scores separates the best codes.
SHARPNESS = 8.0


def normalize(text):
    """Lower case, accents and punctuation out, blanks collapsed."""
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def meta_words(line):
    """The other fields of ``line`` as one word each (``unit=cy``)."""
    words = []
    for name in META_FIELDS:
        value = normalize(line.get(name)).replace(" ", "_")
        if value:
            words.append(f"{name}={value}")
    return " ".join(words)


def _split(text):
    return text.split()


@dataclass
class Suggestion:
    label: str
    confidence: float
    past_lines: int
    example: str


@dataclass
class Suggester:
    """Fit on ``(lines, labels)``; ``top(line)`` ranks the labels."""

    labels: list = field(default_factory=list)
    trained_lines: int = 0
    training_seconds: float = 0.0

    def fit(self, lines, labels):
        """Learn from ``lines`` (dicts with ``description`` and the
        :data:`META_FIELDS`) labelled ``labels``; at least two labels."""
        if len(set(labels)) < 2:
            raise ValueError("at least two cost codes are needed to learn from")
        started = time.perf_counter()
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        self._words = TfidfVectorizer(
            analyzer=_split, sublinear_tf=True, min_df=1, dtype=np.float32
        )
        texts = [normalize(line.get("description")) for line in lines]
        words = [f"{text} {meta_words(line)}" for text, line in zip(texts, lines, strict=True)]
        features = sparse.hstack(
            [self._chars.fit_transform(texts), self._words.fit_transform(words)]
        ).tocsr()
        self._model = SGDClassifier(loss="hinge", alpha=1e-4, max_iter=5, tol=None, random_state=0)
        self._model.fit(features, labels)
        self.labels = self._model.classes_.tolist()
        counts = Counter(labels)
        examples = defaultdict(Counter)
        for text, label in zip(texts, labels, strict=True):
            examples[label][text] += 1
        self._reasons = {
            label: (counts[label], examples[label].most_common(1)[0][0]) for label in counts
        }
        self.trained_lines = len(lines)
        self.training_seconds = time.perf_counter() - started
        return self

    def _features(self, lines):
        texts = [normalize(line.get("description")) for line in lines]
        words = [f"{text} {meta_words(line)}" for text, line in zip(texts, lines, strict=True)]
        return sparse.hstack([self._chars.transform(texts), self._words.transform(words)]).tocsr()

    def top_many(self, lines, k=3, allowed=None):
        """The ``k`` best :class:`Suggestion` of each of ``lines``; only
        labels in ``allowed`` when it is given."""
        scores = self._model.decision_function(self._features(lines))
        if scores.ndim == 1:  # two labels: one score for the second
            scores = np.column_stack([-scores, scores])
        if allowed is not None:
            scores = np.where([label in allowed for label in self.labels], scores, -np.inf)
        results = []
        for row in scores:
            weights = np.exp(SHARPNESS * (row - row.max()))
            weights /= weights.sum()
            order = [index for index in np.argsort(-row)[:k] if np.isfinite(row[index])]
            results.append(
                [
                    Suggestion(
                        self.labels[index],
                        float(weights[index]),
                        *self._reasons[self.labels[index]],
                    )
                    for index in order
                ]
            )
        return results

    def top(self, line, k=3, allowed=None):
        return self.top_many([line], k, allowed)[0]

    def dumps(self):
        return pickle.dumps((FORMAT, self), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, data):
        """A suggester stored by :meth:`dumps`. Only ever given bytes that
        this code wrote itself (the company's stored model): pickle runs
        what it reads."""
        version, suggester = pickle.loads(data)
        if version != FORMAT or not isinstance(suggester, cls):
            raise ValueError("the stored model was made by another version: train it again")
        return suggester


class Baseline:
    """What a plain lookup does: the code of the same text seen before,
    else the most frequent code of the description's words."""

    def fit(self, lines, labels):
        exact = defaultdict(Counter)
        per_word = defaultdict(Counter)
        for line, label in zip(lines, labels, strict=True):
            text = normalize(line.get("description"))
            exact[text][label] += 1
            for word in set(text.split()):
                per_word[word][label] += 1
        self._exact = {text: counter.most_common(3) for text, counter in exact.items()}
        self._per_word = per_word
        self._overall = Counter(labels).most_common(3)
        return self

    def top(self, line, k=3):
        text = normalize(line.get("description"))
        if text in self._exact:
            return [label for label, _count in self._exact[text][:k]]
        votes = Counter()
        for word in set(text.split()):
            votes.update(self._per_word.get(word, {}))
        ranked = votes.most_common(k) or self._overall
        return [label for label, _count in ranked[:k]]
