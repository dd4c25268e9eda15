"""Seed data of the demo province, authored for this project.

Everything here is written by us: the colleges, enterprises and people are fictional. The only facts are public
reference codes and names (cities, 职业分类大典 2022 occupation codes and names, national major codes, names and
levels), which the tests check against the official files in ``../shared/data`` when that folder is present.
"""
