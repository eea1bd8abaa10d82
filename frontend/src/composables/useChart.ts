// An ECharts instance bound to an element: created on mount, resized with the
// window, redrawn when the theme, language or P&L colours change, disposed on unmount.

import { BarChart, LineChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { init, use, type ECharts } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'

import { settings } from '../stores/settings'

use([LineChart, BarChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, CanvasRenderer])

export interface ChartColors {
  fg: string
  muted: string
  line: string
  up: string
  down: string
  accent: string
  warn: string
}

function colors(el: HTMLElement): ChartColors {
  const cs = getComputedStyle(el)
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback
  return {
    fg: v('--fg', '#e6e6e6'),
    muted: v('--muted', '#8b929c'),
    line: v('--line', '#2b313b'),
    up: v('--up', '#e5484d'),
    down: v('--down', '#30a46c'),
    accent: v('--accent', '#2f6feb'),
    warn: v('--warn', '#f5a524'),
  }
}

export function useChart(
  el: Ref<HTMLElement | null>,
  render: (chart: ECharts, c: ChartColors, full: boolean) => void,
): { redraw: (full?: boolean) => void } {
  let chart: ECharts | null = null
  const onResize = (): void => chart?.resize()

  function redraw(full = false): void {
    if (chart && el.value) render(chart, colors(el.value), full)
  }

  onMounted(() => {
    if (!el.value) return
    chart = init(el.value, undefined, { renderer: 'canvas' })
    redraw(true)
    window.addEventListener('resize', onResize)
  })
  watch(
    () => [settings.theme, settings.pnlColors, settings.lang],
    () => redraw(true),
    { flush: 'post' },
  )
  onBeforeUnmount(() => {
    window.removeEventListener('resize', onResize)
    chart?.dispose()
    chart = null
  })
  return { redraw }
}
