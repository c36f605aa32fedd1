# myelin sweep: energy vs latency (pareto.dat; index 2k all fitting points of group k, 2k+1 its Pareto front)
set terminal svg size 900,520 dynamic
set output 'pareto.svg'
set title 'Design points: energy vs latency (Pareto front: energy x latency x area)'
set xlabel 'latency per inference (s)'
set ylabel 'energy per inference (J)'
set logscale xy
set grid
set key outside right
plot 'pareto.dat' index 0 using 1:2 with points pt 6 ps 0.6 title 'spikformer-8-384 float', \
     'pareto.dat' index 1 using 1:2 with points pt 7 ps 1.2 title 'spikformer-8-384 float Pareto', \
     'pareto.dat' index 2 using 1:2 with points pt 6 ps 0.6 title 'tiny float', \
     'pareto.dat' index 3 using 1:2 with points pt 7 ps 1.2 title 'tiny float Pareto'
