"""`python -m growthsim` runs the command line."""

from growthsim.cli import main

if __name__ == "__main__":
    main()
