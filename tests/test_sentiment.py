"""VADER scores against the published examples, stored at import and read back."""

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analytics.ingest.load import import_files
from analytics.text import comments, sentiment

# The examples in VADER's README (Hutto & Gilbert 2014), with their published compound scores.
PUBLISHED = {
    "The book was good.": 0.4404,
    "VADER is smart, handsome, and funny.": 0.8316,
    "VADER is not smart, handsome, nor funny.": -0.7424,
}


@pytest.mark.parametrize(("text", "compound"), PUBLISHED.items())
def test_score_texts_matches_vaders_published_examples(text, compound):
    scores = sentiment.score_texts([text])
    assert scores["compound"].iloc[0] == pytest.approx(compound, abs=1e-4)


def test_score_texts_columns_and_the_published_breakdown():
    scores = sentiment.score_texts(["The book was good."])
    assert list(scores.columns) == ["compound", "pos", "neu", "neg", "label"]
    # README: {'neg': 0.0, 'neu': 0.508, 'pos': 0.492, 'compound': 0.4404}
    assert scores.iloc[0][["pos", "neu", "neg"]].tolist() == pytest.approx([0.492, 0.508, 0.0])
    assert scores["label"].iloc[0] == "positive"


def test_score_texts_keeps_order_and_scores_repeats_identically():
    texts = ["The book was good.", "VADER is not smart, handsome, nor funny.", "The book was good.", ""]
    scores = sentiment.score_texts(texts)
    assert scores["compound"].tolist() == pytest.approx([0.4404, -0.7424, 0.4404, 0.0], abs=1e-4)
    assert scores["label"].tolist() == ["positive", "negative", "positive", "neutral"]


def test_score_texts_agrees_with_a_bare_vader_loop():
    texts = [f"Session {i} was {'great' if i % 3 else 'not helpful at all'}, thanks!" for i in range(60)]
    analyzer = SentimentIntensityAnalyzer()
    expected = [analyzer.polarity_scores(t)["compound"] for t in texts]
    assert sentiment.score_texts(texts)["compound"].tolist() == expected


def test_worker_processes_give_identical_results():
    texts = [
        f"Meeting {i}: {'good' if i % 2 else 'awful'} and {'calm' if i % 5 else 'stressful'}"
        for i in range(40)
    ]
    one = sentiment.score_texts(texts, workers=1)
    two = sentiment.score_texts(texts, workers=2)
    assert one.equals(two)


def test_empty_input_gives_an_empty_frame():
    scores = sentiment.score_texts([])
    assert scores.empty and list(scores.columns) == ["compound", "pos", "neu", "neg", "label"]


@pytest.mark.parametrize(
    ("compound", "expected"),
    [(0.05, "positive"), (0.0499, "neutral"), (-0.0499, "neutral"), (-0.05, "negative"), (0.0, "neutral")],
)
def test_label_cut_offs(compound, expected):
    assert sentiment.label(compound) == expected
    assert sentiment.labels([compound])[0] == expected


def test_scores_are_stored_at_import_and_read_back(con, tmp_path):
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "response_id,wave,ps_1,comment_experience\n"
        'R1,pre,3,"The book was good."\n'
        'R2,pre,4,"VADER is smart, handsome, and funny."\n'
        'R3,pre,5,"VADER is not smart, handsome, nor funny."\n'
    )
    import_files(con, [survey])
    stored = con.execute(
        "SELECT response_id, question, compound, label FROM comments ORDER BY response_id"
    ).fetchall()
    assert [r[0] for r in stored] == ["R1", "R2", "R3"]
    assert [r[2] for r in stored] == pytest.approx([0.4404, 0.8316, -0.7424], abs=1e-4)
    assert [r[3] for r in stored] == ["positive", "positive", "negative"]


def test_sentiment_by_group_reads_the_stored_scores(con, tmp_path):
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "response_id,wave,department,ps_1,comment_experience\n"
        'R1,pre,Sales,3,"The book was good."\n'
        'R2,pre,Sales,4,"VADER is smart, handsome, and funny."\n'
        'R3,pre,Sales,5,"VADER is not smart, handsome, nor funny."\n'
    )
    import_files(con, [survey])
    out = comments.sentiment_by_group(con, ["wave"], min_group=3)
    assert out["n"].tolist() == [3]
    assert out["mean_compound"].iloc[0] == pytest.approx((0.4404 + 0.8316 - 0.7424) / 3, abs=1e-4)
    assert out["positive_pct"].iloc[0] == pytest.approx(200 / 3)
    hidden = comments.sentiment_by_group(con, ["wave"], min_group=4)  # through privacy.gate
    assert hidden["suppressed"].all() and hidden["n"].isna().all() and hidden["comments"].isna().all()
    assert hidden["suppressed_reason"].tolist() == ["fewer than 4 responses"]
    by_grade = comments.sentiment_by_group(con, ["grade"], min_group=3)
    assert by_grade["grade"].tolist() == ["Not recorded"]  # a missing attribute is labelled, not NULL


def test_worker_count(monkeypatch):
    monkeypatch.delenv("MUTUAL_SENTIMENT_WORKERS", raising=False)
    assert sentiment._workers(None, 10) == 1  # small batches stay in this process
    assert sentiment._workers(3, 10) == 3
    monkeypatch.setenv("MUTUAL_SENTIMENT_WORKERS", "1")
    assert sentiment._workers(None, 10**6) == 1
