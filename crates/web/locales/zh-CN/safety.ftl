# 安全：事故等级、法定时限、事故频率。
err-notified-before-occurred = 单位负责人接到报告的时间不能早于事故发生时间。
err-extension-once = 事故调查报告只能延期一次。
err-extension-days = 延期为 1 至 60 天。
err-hours-zero = 没有工作小时数，无法计算频率。
