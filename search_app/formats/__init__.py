"""Results, citations and feeds in other people's formats: CSV, JSON Lines, RIS, BibTeX,
CSL styles (APA, Chicago, the UN's form) and Atom. No Flask here: the web app streams what
these functions write, from what the engine returns."""
