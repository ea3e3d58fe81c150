"""Input and output: reading documents and corpora, writing records and aligned text."""
