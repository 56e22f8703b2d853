"""Calendar files and feeds for meetings (`service`), and each member's secret feed token."""
