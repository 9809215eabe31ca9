"""helpers: the library behind the replication book.

One module per concept: ``runner`` and ``cli`` run the notebooks, ``published``
reads and audits the papers' printed tables, ``inference`` holds the star
convention and ``errors`` the one error type readers meet.
"""

__version__ = "0.1.0"
