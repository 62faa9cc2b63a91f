# Metallurgical accounting (issue 4)
err-metallurgy-not-finite = Not a finite number: give a plain decimal number.
err-metallurgy-grade-negative = A grade of { $value } % is below 0: grades are percent metal, 0 to 100.
err-metallurgy-grade-above-100 = A grade of { $value } % is above 100: grades are percent metal (3.48 for 3.48 %), not g/t or ppm.
err-metallurgy-grades-sum = The two metals add up to { $sum } %, more than the whole product: check the assays.
err-metallurgy-tail-not-below-feed = The tailing grade { $tail } % is not below the feed grade { $feed } %, so no metal was recovered: check that the feed and tailing samples were not swapped.
err-metallurgy-conc-not-above-feed = The concentrate grade { $conc } % is not above the feed grade { $feed } %: nothing was concentrated; check the samples.
err-metallurgy-ill-conditioned = The two concentrates are too alike to split the feed between them (relative determinant { $relative_determinant }, at least { $minimum } needed): use a two-product balance or other assays.
err-metallurgy-split-negative = These grades give a product a negative share of the feed ({ $share } %): no mix of the products makes this feed; check the assays.
err-metallurgy-tonnes-negative = { $value } t is negative.
err-metallurgy-recovery-range = A recovery of { $value } % is outside 0 to 100.
err-metallurgy-no-metal = No metal in this stream: give its tonnes and grade.
err-metallurgy-more-metal-out = The products hold { $out } t of metal but the feed only { $in } t: check the tonnages and grades.
err-metallurgy-circuit-empty = The circuit has no streams or no nodes.
err-metallurgy-duplicate-stream = Stream { $name } is named twice.
err-metallurgy-duplicate-node = Node { $name } is named twice.
err-metallurgy-duplicate-component = Component { $name } is named twice.
err-metallurgy-sd-not-positive = Stream { $stream }: a standard deviation of { $value } is not above 0; no measurement is exact.
err-metallurgy-value-negative = Stream { $stream }: { $value } is negative.
err-metallurgy-unknown-stream = Node { $node } names stream { $stream }, which is not among the streams.
err-metallurgy-stream-twice-in-node = Node { $node } names stream { $stream } twice.
err-metallurgy-node-one-sided = Node { $node } needs streams going in and coming out.
err-metallurgy-stream-in-no-node = Stream { $stream } is in no node: nothing balances it.
err-metallurgy-assay-count = Stream { $stream } has { $found } assays; { $expected } are needed.
err-metallurgy-not-converged = The balance did not settle after { $iterations } rounds: the data are far from any consistent state.
err-metallurgy-singular = The balances leave nothing to solve.
warn-metallurgy-recovery-below-lowest = The reported recovery { $reported } % is below { $lowest } % = (f − t) / f, the lowest recovery any concentrate grade gives with a feed of { $feed } % and a tailing of { $tail } %: the figure does not close with the assays.
warn-metallurgy-recovery-slip-t-over-f-minus-t = The reported recovery { $reported } % is below { $lowest } % = (f − t) / f, the lowest recovery any concentrate grade gives with a feed of { $feed } % and a tailing of { $tail } %. It equals 1 − t / (f − t): an arithmetic slip (t divided by f − t instead of by f).
