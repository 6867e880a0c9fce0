"""growthsim's version, in a module of its own so that any stage can name it without importing the
package's public front door."""

__version__ = "0.2.0"
