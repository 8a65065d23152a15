"""A worker process that scores texts for `sentiment.score_texts`: JSON texts on stdin, scores on stdout.

Started with `python -m analytics.sentiment_worker`, so it never re-runs the caller's main script
(multiprocessing's spawn would, and under Streamlit that script is a page).
"""

import json
import sys

from analytics.text.sentiment import score_chunk


def main() -> None:
    texts = json.load(sys.stdin)
    json.dump(score_chunk(texts), sys.stdout)


if __name__ == "__main__":
    main()
