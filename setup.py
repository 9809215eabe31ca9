"""The package list, found rather than written: every package under src/ (each paper's
folder included) and the data folder, shipped as helpers._data (see pyproject.toml)."""

from setuptools import find_packages, setup

setup(packages=[*find_packages("src"), "helpers._data"])
