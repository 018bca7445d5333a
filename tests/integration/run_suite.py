"""Runs one integration suite for ctest: `python3 run_suite.py test_x`.

Like `python3 -m unittest -v test_x`, but a suite whose every test was
skipped (a tool it needs is missing) exits 77, which ctest reports as
skipped (SKIP_RETURN_CODE) instead of passed; a suite that ran nothing
fails."""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import unittest  # noqa: E402

SKIPPED = 77


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: run_suite.py MODULE\n")
        return 2
    suite = unittest.defaultTestLoader.loadTestsFromName(argv[1])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    if result.testsRun == 0:
        sys.stderr.write("run_suite: %s ran no test\n" % argv[1])
        return 1
    if len(result.skipped) == result.testsRun:
        sys.stderr.write("run_suite: every test of %s was skipped\n"
                         % argv[1])
        return SKIPPED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
