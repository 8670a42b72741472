import pytest

from ..suggest import Baseline, Suggester, normalize

LINES = {
    "A": ["pour concrete footings", "concrete pour footing", "place concrete slab", "conc slab"],
    "B": ["excavate trench", "excavation for footings", "dig utility trench", "exc trench"],
    "C": ["paint interior walls", "prime and paint drywall", "paint ceiling", "repaint walls"],
}


def training():
    lines = [{"description": text, "unit": "cy"} for texts in LINES.values() for text in texts]
    labels = [label for label, texts in LINES.items() for _text in texts]
    return lines, labels


def test_text_is_compared_without_case_accents_or_punctuation():
    assert normalize("  Béton, POUR-ftg. ") == "beton pour ftg"


def test_a_misspelt_abbreviated_line_gets_its_code_first_with_a_reason():
    suggester = Suggester().fit(*training())
    top = suggester.top({"description": "EXCAVATON trnch"})
    assert top[0].label == "B"
    assert len(top) == 3
    assert top[0].confidence > top[1].confidence >= top[2].confidence
    assert abs(sum(s.confidence for s in top) - 1.0) < 1e-6
    assert top[0].past_lines == 4
    assert top[0].example in LINES["B"]


def test_only_allowed_codes_are_suggested():
    suggester = Suggester().fit(*training())
    top = suggester.top({"description": "excavate trench"}, allowed={"A", "C"})
    assert {s.label for s in top} == {"A", "C"}


def test_a_stored_model_suggests_the_same_after_loading():
    suggester = Suggester().fit(*training())
    loaded = Suggester.loads(suggester.dumps())
    line = {"description": "paint walls"}
    assert [s.label for s in loaded.top(line)] == [s.label for s in suggester.top(line)]


def test_one_code_is_not_enough_to_learn_from():
    with pytest.raises(ValueError):
        Suggester().fit([{"description": "a"}, {"description": "b"}], ["A", "A"])


def test_the_baseline_takes_the_same_text_then_the_words_votes():
    baseline = Baseline().fit(*training())
    assert baseline.top({"description": "Paint ceiling"})[0] == "C"
    assert baseline.top({"description": "trench work"})[0] == "B"
