"""Example trainer module: the module form of a LakeTahoe job runs `python -m trainer.task ARGS`."""

import argparse

from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

import laketahoe


def main() -> None:
    """Train a forest on scikit-learn's bundled wine data and report its cross-validated accuracy."""
    parser = argparse.ArgumentParser()
    # HPO trials get `--<parameterName>=<value>`, and parameter names cannot hold dashes: take both spellings.
    parser.add_argument("--n-estimators", "--n_estimators", dest="n_estimators", type=int, default=50)
    parser.add_argument("--max-depth", "--max_depth", dest="max_depth", type=int, default=None)
    args = parser.parse_args()
    features, labels = load_wine(return_X_y=True)
    model = RandomForestClassifier(n_estimators=args.n_estimators, max_depth=args.max_depth, random_state=0)
    accuracy = cross_val_score(model, features, labels, cv=3).mean()
    print(f"cross-validated accuracy: {accuracy:.4f}")
    laketahoe.report(step=args.n_estimators, accuracy=accuracy)


if __name__ == "__main__":
    main()
