-- DMA after the request completed.
-- exit: 2
-- stderr: dma_at_beyond.lua:4: sim.device: dma_at: must be between 0 and 1 (got 2)
sim.device{ dma_at = 2 }
