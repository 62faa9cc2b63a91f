# 选矿金属平衡（第 4 项）
err-metallurgy-not-finite = 不是有效数字：请输入普通小数。
err-metallurgy-grade-negative = 品位 { $value }% 小于 0：品位为金属百分含量，0 到 100。
err-metallurgy-grade-above-100 = 品位 { $value }% 大于 100：品位为金属百分含量（3.48% 填 3.48），不是 g/t 或 ppm。
err-metallurgy-grades-sum = 两种金属合计 { $sum }%，超过产品本身：请核对化验结果。
err-metallurgy-tail-not-below-feed = 尾矿品位 { $tail }% 不低于原矿品位 { $feed }%，即没有回收金属：请检查原矿和尾矿样品是否弄反。
err-metallurgy-conc-not-above-feed = 精矿品位 { $conc }% 不高于原矿品位 { $feed }%：没有富集，请核对样品。
err-metallurgy-ill-conditioned = 两种精矿成分过于接近，无法在二者之间分配原矿（相对行列式 { $relative_determinant }，至少需要 { $minimum }）：请用二产品平衡或其他化验结果。
err-metallurgy-split-negative = 这些品位使某产品占原矿的比例为负（{ $share }%）：任何产品组合都得不到此原矿，请核对化验结果。
err-metallurgy-tonnes-negative = { $value } 吨为负数。
err-metallurgy-recovery-range = 回收率 { $value }% 不在 0 到 100 之间。
err-metallurgy-no-metal = 此物料中没有金属：请填写吨数和品位。
err-metallurgy-more-metal-out = 产品中金属 { $out } 吨，原矿中只有 { $in } 吨：请核对吨数和品位。
err-metallurgy-circuit-empty = 流程中没有物料流或节点。
err-metallurgy-duplicate-stream = 物料流 { $name } 重复。
err-metallurgy-duplicate-node = 节点 { $name } 重复。
err-metallurgy-duplicate-component = 组分 { $name } 重复。
err-metallurgy-sd-not-positive = 物料流 { $stream }：标准差 { $value } 不大于 0；任何测量都有误差。
err-metallurgy-value-negative = 物料流 { $stream }：{ $value } 为负数。
err-metallurgy-unknown-stream = 节点 { $node } 中的物料流 { $stream } 不在物料流列表中。
err-metallurgy-stream-twice-in-node = 节点 { $node } 中物料流 { $stream } 出现两次。
err-metallurgy-node-one-sided = 节点 { $node } 需要有进有出的物料流。
err-metallurgy-stream-in-no-node = 物料流 { $stream } 不在任何节点中，无法平衡。
err-metallurgy-assay-count = 物料流 { $stream } 有 { $found } 个化验值，需要 { $expected } 个。
err-metallurgy-not-converged = 经过 { $iterations } 轮计算平衡仍未收敛：数据远离任何一致状态。
err-metallurgy-singular = 平衡方程没有可求解的内容。
warn-metallurgy-recovery-below-lowest = 报告的回收率 { $reported }% 低于 { $lowest }% = (f − t) / f，即原矿 { $feed }%、尾矿 { $tail }% 时任何精矿品位所能得到的最低回收率：该数字与化验结果不符。
warn-metallurgy-recovery-slip-t-over-f-minus-t = 报告的回收率 { $reported }% 低于 { $lowest }% = (f − t) / f，即原矿 { $feed }%、尾矿 { $tail }% 时任何精矿品位所能得到的最低回收率。它等于 1 − t / (f − t)：计算错误（t 除以了 f − t 而不是 f）。
