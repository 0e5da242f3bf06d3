from analytics.parts import hamlet_parts


def test_a_province_is_split_by_whole_communes_and_evenly():
    hamlets = [(f"C{c}-{h}", f"C{c}", 100.0) for c in range(6) for h in range(10 + c)]
    parts = hamlet_parts(hamlets, 2)
    assert sorted(code for part in parts for code in part) == sorted(code for code, _c, _r in hamlets)
    for part in parts:
        communes = {code.split("-")[0] for code in part}
        for commune in communes:  # a commune is never cut in two
            assert all(code in part for code, c, _r in hamlets if c == commune)
    sizes = [len(p) for p in parts]
    assert abs(sizes[0] - sizes[1]) <= 5  # 75 hamlets: 35–40 per part


def test_one_commune_is_split_by_hamlets_with_the_big_ones_spread():
    hamlets = [("AP01", 1, 900), ("AP02", 1, 800), ("AP03", 1, 100), ("AP04", 1, 100), ("AP05", 1, 50)]
    parts = hamlet_parts(hamlets, 2)
    assert parts == [["AP01", "AP04"], ["AP02", "AP03", "AP05"]]  # 1000 and 950 households
    assert hamlet_parts(hamlets, 1) == [["AP01", "AP02", "AP03", "AP04", "AP05"]]
    assert hamlet_parts(hamlets[:1], 3) == [["AP01"], [], []]
