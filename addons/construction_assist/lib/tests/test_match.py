from ..match import name_similarity, rank

PEOPLE = [(1, "John Doe", ["EMP-042"]), (2, "Jane Dodd", []), (3, "Maria Lopez", ["4471"])]


def test_a_badge_in_the_reference_decides():
    assert rank("J. Doe / EMP-042", PEOPLE)[0] == (1.0, 1, "code EMP-042")


def test_an_initial_stands_for_the_first_name():
    best = rank("J. Doe", PEOPLE)[0]
    assert best[1] == 1
    assert best[2] == "name like 'John Doe'"
    assert name_similarity("Lopez, Maria", "Maria Lopez") == 1.0


def test_nothing_alike_is_not_proposed():
    assert rank("Somebody Else", PEOPLE) == []
