package chaos

// DefaultSchedule is the moderate fault schedule of the default `go run
// ./bench` config, written as the value of its "faults" key: a leader
// isolation, a kill and restart of a random node, and a period of delay with
// jitter and some loss, in a 35s measured run whose last 8s are a recovery
// window. Paste it under "faults:" (indented) or load it with Parse.
const DefaultSchedule = `recovery: 8s
schedule:
  - fault: partition      # cut the leader off; the others elect a new one
    shape: leader
    at: 4s
    for: 5s
  - fault: kill           # crash a node, restart it from its data
    target: random
    at: 12s
    for: 4s
  - fault: network        # a slow, lossy network between all nodes
    target: all
    at: 19s
    for: 6s
    delay: 20ms
    jitter: 5ms
    distribution: normal
    loss: 2%
`
