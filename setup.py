"""The one thing pyproject.toml cannot say: ship the root's sample_data/ as runback/sample_data/.

``runback demo`` and the notebook read it with importlib.resources
(:func:`runback.sample_data_dir`), so they work from any installation, not only a clone.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "runback.sample_data"],
    package_dir={"": "src", "runback.sample_data": "sample_data"},
)
