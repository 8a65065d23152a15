"""`python -m analytics.sample`: regenerate data/sample/ byte for byte."""

from analytics.sample.programme import main

main()
