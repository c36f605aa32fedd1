# memory vs weight bits for the zoo (myelin cost --tables)
set encoding utf8
set terminal svg size 760,480 dynamic
set output 'memory_vs_bits.svg'
set xlabel 'weight bits'
set ylabel 'parameter memory, scales included (MB)'
set logscale y
set key outside top center horizontal maxrows 2 width 1
set logscale x 2
set xrange [1.8:36]
set xtics ('2' 2, '4' 4, '8' 8, 'float (32)' 32)
set grid
set pointsize 1.2
plot for [i=0:4] 'memory_vs_bits.dat' index i using 1:2 with linespoints lw 1.5 title columnheader(1)
