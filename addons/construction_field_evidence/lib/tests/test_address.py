import pytest

from ..address import normalize_locality, normalize_street, same_locality


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("100 N. Main Street", "100 north main st"),
        ("12 West Oak Ave.", "12 W OAK AVENUE"),
        ("7 Lakeshore Blvd", "7 lakeshore boulevard"),
        ("55 Mill Rd", "55  Mill   Road"),
        ("9 Park Drive, Suite 200", "9 park dr ste 200"),
        ("9 Park Dr Apt 200", "9 Park Dr #200"),
        ("1 S. Elm St, Unit 3", "1 south elm street # 3"),
        ("4 Rue Café", "4 rue cafe"),
    ],
)
def test_one_address_written_two_ways_normalizes_to_one_form(first, second):
    assert normalize_street(first) == normalize_street(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("100 N Main St", "100 S Main St"),
        ("100 Main St", "100 Main Ave"),
        ("100 Main St", "101 Main St"),
        ("9 Park Dr #200", "9 Park Dr #201"),
    ],
)
def test_different_addresses_stay_different(first, second):
    assert normalize_street(first) != normalize_street(second)


def test_localities_agree_without_case_or_zip_plus_four():
    assert normalize_locality("60601-1234") == "60601"
    assert same_locality("St. Louis", "st louis")
    assert same_locality("60601", "60601-1234")
    assert same_locality("", "Chicago")
    assert not same_locality("Chicago", "Evanston")
