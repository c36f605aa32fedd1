# myelin sweep: energy vs latency, one panel per workload (pareto.dat: index 2k all fitting points of group k = workload x setting, 2k+1 its Pareto front over energy x latency x area; columns in s, J, mm2)
set encoding utf8
set termoption noenhanced
set xlabel 'latency per inference (ms)'
set ylabel 'energy per inference (µJ)'
set cblabel 'Pareto-front points: array area (mm²)'
set logscale xy
set logscale cb
set format x '%g'
set format y '%g'
set format cb '%g'
set xtics (1e-9, 2e-9, 3e-9, 5e-9, 1e-8, 2e-8, 3e-8, 5e-8, 1e-7, 2e-7, 3e-7, 5e-7, 1e-6, 2e-6, 3e-6, 5e-6, 1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2, 5e-2, 1e-1, 2e-1, 3e-1, 5e-1, 1e0, 2e0, 3e0, 5e0, 1e1, 2e1, 3e1, 5e1, 1e2, 2e2, 3e2, 5e2, 1e3, 2e3, 3e3, 5e3, 1e4, 2e4, 3e4, 5e4, 1e5, 2e5, 3e5, 5e5, 1e6, 2e6, 3e6, 5e6, 1e7, 2e7, 3e7, 5e7, 1e8, 2e8, 3e8, 5e8, 1e9, 2e9, 3e9, 5e9, 1e10, 2e10, 3e10, 5e10, 1e11, 2e11, 3e11, 5e11, 1e12, 2e12, 3e12, 5e12)
set ytics (1e-9, 2e-9, 3e-9, 5e-9, 1e-8, 2e-8, 3e-8, 5e-8, 1e-7, 2e-7, 3e-7, 5e-7, 1e-6, 2e-6, 3e-6, 5e-6, 1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2, 5e-2, 1e-1, 2e-1, 3e-1, 5e-1, 1e0, 2e0, 3e0, 5e0, 1e1, 2e1, 3e1, 5e1, 1e2, 2e2, 3e2, 5e2, 1e3, 2e3, 3e3, 5e3, 1e4, 2e4, 3e4, 5e4, 1e5, 2e5, 3e5, 5e5, 1e6, 2e6, 3e6, 5e6, 1e7, 2e7, 3e7, 5e7, 1e8, 2e8, 3e8, 5e8, 1e9, 2e9, 3e9, 5e9, 1e10, 2e10, 3e10, 5e10, 1e11, 2e11, 3e11, 5e11, 1e12, 2e12, 3e12, 5e12)
set cbtics (1e-9, 2e-9, 3e-9, 5e-9, 1e-8, 2e-8, 3e-8, 5e-8, 1e-7, 2e-7, 3e-7, 5e-7, 1e-6, 2e-6, 3e-6, 5e-6, 1e-5, 2e-5, 3e-5, 5e-5, 1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 3e-2, 5e-2, 1e-1, 2e-1, 3e-1, 5e-1, 1e0, 2e0, 3e0, 5e0, 1e1, 2e1, 3e1, 5e1, 1e2, 2e2, 3e2, 5e2, 1e3, 2e3, 3e3, 5e3, 1e4, 2e4, 3e4, 5e4, 1e5, 2e5, 3e5, 5e5, 1e6, 2e6, 3e6, 5e6, 1e7, 2e7, 3e7, 5e7, 1e8, 2e8, 3e8, 5e8, 1e9, 2e9, 3e9, 5e9, 1e10, 2e10, 3e10, 5e10, 1e11, 2e11, 3e11, 5e11, 1e12, 2e12, 3e12, 5e12)
set cbrange [1511.42:6292.4]
set autoscale xfix
set autoscale yfix
set offsets graph 0.08, graph 0.08, graph 0.12, graph 0.12
set grid xtics ytics mxtics mytics lc rgb '#e0e0e0'
set palette defined (0 '#1b9e77', 1 '#7570b3', 2 '#d95f02')
set key below horizontal maxrows 2 width -2 samplen 1
set bmargin 8
set terminal svg size 1200,560 dynamic font 'Helvetica,13'
set output 'pareto.svg'
set multiplot layout 1,2
unset colorbox
set rmargin 3
set title 'spikformer-8-384'
plot 'pareto.dat' index 0 using ($1*1e3):($2*1e6) with points pt 6 ps 0.7 lc rgb '#8c8c8c' title 'float: all', \
     'pareto.dat' index 1 using ($1*1e3):($2*1e6):3 with points pt 7 ps 1.3 lc palette title 'float: Pareto front', \
     'pareto.dat' index 2 using ($1*1e3):($2*1e6) with points pt 8 ps 0.7 lc rgb '#8c8c8c' title 'w8: all', \
     'pareto.dat' index 3 using ($1*1e3):($2*1e6):3 with points pt 9 ps 1.3 lc palette title 'w8: Pareto front'
set colorbox
set rmargin 14
set title 'fashion'
plot 'pareto.dat' index 4 using ($1*1e3):($2*1e6) with points pt 6 ps 0.7 lc rgb '#8c8c8c' title 'float: all', \
     'pareto.dat' index 5 using ($1*1e3):($2*1e6):3 with points pt 7 ps 1.3 lc palette title 'float: Pareto front', \
     'pareto.dat' index 6 using ($1*1e3):($2*1e6) with points pt 8 ps 0.7 lc rgb '#8c8c8c' title 'w8: all', \
     'pareto.dat' index 7 using ($1*1e3):($2*1e6):3 with points pt 9 ps 1.3 lc palette title 'w8: Pareto front'
unset multiplot
set terminal pngcairo size 1500,700 font 'Helvetica,13'
set output 'pareto.png'
set multiplot layout 1,2
unset colorbox
set rmargin 3
set title 'spikformer-8-384'
plot 'pareto.dat' index 0 using ($1*1e3):($2*1e6) with points pt 6 ps 0.7 lc rgb '#8c8c8c' title 'float: all', \
     'pareto.dat' index 1 using ($1*1e3):($2*1e6):3 with points pt 7 ps 1.3 lc palette title 'float: Pareto front', \
     'pareto.dat' index 2 using ($1*1e3):($2*1e6) with points pt 8 ps 0.7 lc rgb '#8c8c8c' title 'w8: all', \
     'pareto.dat' index 3 using ($1*1e3):($2*1e6):3 with points pt 9 ps 1.3 lc palette title 'w8: Pareto front'
set colorbox
set rmargin 14
set title 'fashion'
plot 'pareto.dat' index 4 using ($1*1e3):($2*1e6) with points pt 6 ps 0.7 lc rgb '#8c8c8c' title 'float: all', \
     'pareto.dat' index 5 using ($1*1e3):($2*1e6):3 with points pt 7 ps 1.3 lc palette title 'float: Pareto front', \
     'pareto.dat' index 6 using ($1*1e3):($2*1e6) with points pt 8 ps 0.7 lc rgb '#8c8c8c' title 'w8: all', \
     'pareto.dat' index 7 using ($1*1e3):($2*1e6):3 with points pt 9 ps 1.3 lc palette title 'w8: Pareto front'
unset multiplot
