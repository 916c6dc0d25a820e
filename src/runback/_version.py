"""runback's version, in the base layer so the reports can name it without importing the whole package."""

__version__ = "0.1.0"
