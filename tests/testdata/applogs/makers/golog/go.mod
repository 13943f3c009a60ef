module logship.test/golog

go 1.26.8
