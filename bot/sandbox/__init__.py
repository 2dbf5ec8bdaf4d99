"""The sandbox: tooling that is not the product's runtime path.

The Bot API emulator, the generated-cohort factory, the offline demo and the console live here. The
bot itself never imports this package when it runs against Telegram; the CLI's ``demo`` and
``console`` verbs, the tests and the benchmarks do.
"""
