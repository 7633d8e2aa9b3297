"""Pages of the programme. public: the progress page (anyone); me: a person's outcomes and
journey; console: organizers' dashboard, lists, targets, reviews; report: the monthly report."""
