"""The prebuilt run: pretraining, the fine-tuning grid, results files and figures (keras + numpy). Its results
contract (`contract.py`) and figure specs (`figure_specs.py`) are standard library only: the site imports them."""
