"""Cases (vụ việc): specific matters inspected on their own."""
