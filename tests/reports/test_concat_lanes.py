"""The two read lanes are stacked without losing answers, whatever each lane inferred."""
import pandas as pd

from backend.reports.selectors import _concat_lanes


def test_a_lane_whose_column_is_all_empty_still_stacks_with_a_lane_that_has_answers():
    answered = pd.DataFrame({"tv_dtdm": pd.Series(["co", "khong"], dtype="category")})
    empty = pd.DataFrame({"tv_dtdm": pd.Series([None, None], dtype="category")})  # categories inferred as float
    stacked = _concat_lanes([answered, empty])
    assert isinstance(stacked["tv_dtdm"].dtype, pd.CategoricalDtype)
    assert stacked["tv_dtdm"].tolist()[:2] == ["co", "khong"] and stacked["tv_dtdm"].isna().sum() == 2


def test_lanes_with_different_answers_keep_every_answer():
    one = pd.DataFrame({"ap": pd.Series(["AP01", "AP02"], dtype="category")})
    two = pd.DataFrame({"ap": pd.Series(["AP03"], dtype="category")})
    assert _concat_lanes([one, two])["ap"].tolist() == ["AP01", "AP02", "AP03"]
