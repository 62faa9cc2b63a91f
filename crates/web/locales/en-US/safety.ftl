# Safety: accident classes, the legal clock, frequency rates.
err-notified-before-occurred = The unit head cannot have been told before the accident happened.
err-extension-once = The investigation report can be extended only once.
err-extension-days = An extension is 1 to 60 days.
err-hours-zero = No hours worked: there is no rate without hours.
