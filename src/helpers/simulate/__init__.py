"""General tools for the papers' generating processes: sampling frames
(:mod:`~helpers.simulate.frame`), shocks (:mod:`~helpers.simulate.shocks`), planted
parameter tables (:mod:`~helpers.simulate.planted`) and calibration to published tables
(:mod:`~helpers.simulate.calibration`).

The processes themselves belong to their papers (``helpers.papers.SLUG.process``);
``helpers.papers.simulate(slug, seed)`` runs one. This package imports no paper.
"""
