"""ctest bench_compare_test: how compare.py turns rounds of results into the
table and the verdicts on issue 9's targets (no servers are started).

    /usr/bin/python3 tests/bench/compare_test.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402


def result(target, workload, round_, ops, p99_ms=1.0, rate=0):
    return {"target": target, "workload": workload, "round": round_, "rate": rate,
            "throughput": ops, "errors": 0, "server_cpu_per_1k": 0.1,
            "latency": {"p50_us": 500, "p99_us": p99_ms * 1000, "p999_us": 9000,
                        "max_us": 9500}}


class CompareTest(unittest.TestCase):
    def test_peak_is_the_median_round_by_throughput(self):
        results = [result("tern", "get", 1, 300), result("tern", "get", 2, 100),
                   result("tern", "get", 3, 200)]
        self.assertEqual(compare.peak(results, "tern", "get")["round"], 3)

    def test_half_load_is_the_median_round_by_p99(self):
        results = [result("tern", "put", n, 1000, p99_ms=p99, rate=1000)
                   for n, p99 in ((1, 3.0), (2, 30.0), (3, 9.0))]
        self.assertEqual(compare.half_load(results, "tern", "put")["round"], 3)
        self.assertIsNone(compare.peak(results, "tern", "put"))

    def test_of_two_rounds_the_slower_one_stands_for_both(self):
        results = [result("tern", "get", 1, 300), result("tern", "get", 2, 100),
                   result("tern", "get", 1, 150, p99_ms=2.0, rate=150),
                   result("tern", "get", 2, 50, p99_ms=4.0, rate=50)]
        self.assertEqual(compare.peak(results, "tern", "get")["round"], 2)
        self.assertEqual(compare.half_load(results, "tern", "get")["round"], 2)

    def test_median_of_an_even_count_is_the_mean_of_the_middle_two(self):
        self.assertEqual(compare.median([0.57, 0.43]), 0.5)
        self.assertEqual(compare.median([3, 1, 2]), 2)
        self.assertIsNone(compare.median([]))

    def test_ratios_pair_runs_of_the_same_round(self):
        # Tern is behind the ceiling's median round and ahead of it, round by
        # round: the ratio must come from the same round, not from medians.
        results = [result("tern", "get", 1, 40), result("static", "get", 1, 100),
                   result("tern", "get", 2, 60), result("static", "get", 2, 120),
                   result("tern", "get", 3, 20), result("static", "get", 3, 40)]
        self.assertEqual(compare.ratios(results, "get", "tern", "static"), [0.4, 0.5, 0.5])

    def test_ratios_skip_rounds_a_target_missed(self):
        results = [result("tern", "get", 1, 40), result("static", "get", 2, 100)]
        self.assertEqual(compare.ratios(results, "get", "tern", "static"), [])

    def test_goals_judge_the_median_ratio_and_list_every_round(self):
        results = [result("tern", "get", 1, 30), result("static", "get", 1, 100),
                   result("tern", "get", 2, 45), result("static", "get", 2, 100),
                   result("tern", "get", 3, 50), result("static", "get", 3, 100)]
        lines = compare.goals(results)
        self.assertIn("| GetItem ≥ 40% of the static-HTTP ceiling: 45% (rounds: 30%, 45%, 50%)"
                      " | met |", lines)
        self.assertFalse(any("dynalite" in line for line in lines))

    def test_goals_with_one_round_show_no_rounds(self):
        results = [result("tern", "put", 1, 100), result("dynalite", "put", 1, 400),
                   result("tern", "put", 1, 50, p99_ms=7.5, rate=50)]
        lines = compare.goals(results)
        self.assertIn("| PutItem (durable on 2 of 3) ≥ 2× dynalite: 0.25× | NOT met |", lines)
        self.assertIn("| put p99 at half of peak (50/s) < 5 ms: 7.50 ms | NOT met |", lines)

    def test_table_shows_the_median_round_and_the_range(self):
        results = [result("tern", "get", n, ops, p99_ms=p99)
                   for n, ops, p99 in ((1, 900, 4.0), (2, 1100, 2.0), (3, 1000, 3.0))]
        rows = compare.table_rows(results, ["get"], ["tern", "static"], 3)
        self.assertEqual(len(rows), 3)
        self.assertTrue(rows[0].endswith("| ops/s, p99 ms over 3 rounds |"))
        self.assertEqual(rows[2], "| get | tern | peak (closed loop) | 1000 | 0.50 | 3.00 | 9.00 |"
                                  " 9.50 | 0 | 0.100 | 900–1100, 2.00–4.00 |")

    def test_table_with_one_round_has_no_range_column(self):
        rows = compare.table_rows([result("static", "get", 1, 5000)], ["get"], ["static"], 1)
        self.assertEqual(rows[2], "| get | static | peak (closed loop) | 5000 | 0.50 | 1.00 |"
                                  " 9.00 | 9.50 | 0 | 0.100 |")


if __name__ == "__main__":
    unittest.main()
