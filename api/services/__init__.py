"""What the routes do, kept out of the routes: catalog versions, workers, feedback, enterprises, reports."""
