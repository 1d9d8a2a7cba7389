import os

# pytest imports this before Django reads its settings: tests run with DEBUG's safe defaults
# (a throwaway secret key) unless the environment says otherwise.
os.environ.setdefault("DEBUG", "true")
